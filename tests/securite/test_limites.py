"""Sizes: long texts and café dates have bounds, checked by the forms and the services."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cafes.forms_compte_rendu import CompteRenduForm
from cafes.services.cafes import cafe_creer
from partenariats.enums import CategoriePartenaire
from partenariats.services.annuaire import partenaire_creer
from tests.cafes.factories import CafeSerieFactory

pytestmark = pytest.mark.django_db

AUJOURDHUI = datetime.date(2026, 12, 22)


@pytest.fixture(autouse=True)
def _aujourdhui(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 22, 9, 30, tzinfo=datetime.UTC), tick=False)


def test_a_two_megabyte_missions_is_refused(centre):
    with pytest.raises(ValidationError) as erreur:
        partenaire_creer(
            centre=centre,
            nom="Association",
            categorie=CategoriePartenaire.ASSOCIATION,
            missions="x" * 2_000_000,
        )
    assert "au plus 5000 caractères" in erreur.value.message_dict["missions"][0]


def test_a_fiche_of_sensible_length_is_accepted(centre):
    partenaire_creer(
        centre=centre,
        nom="Association",
        categorie=CategoriePartenaire.ASSOCIATION,
        missions="x" * 5000,
        horaires="Le lundi, 9 h – 12 h",
    )


def test_the_compte_rendu_form_bounds_its_text():
    form = CompteRenduForm(data={"texte": "x" * 100_001})
    assert not form.is_valid()
    assert "au plus 100000 caractères" in form.errors["texte"][0]


@pytest.mark.parametrize(
    "jour",
    [datetime.date(1900, 1, 1), datetime.date(9999, 12, 31), datetime.date(2024, 12, 21)],
)
def test_a_cafe_date_far_from_today_is_refused(centre, jour):
    serie = CafeSerieFactory(centre=centre)
    with pytest.raises(ValidationError) as erreur:
        cafe_creer(serie=serie, date=jour, adresse="12 rue Lamartine, 47000 Agen")
    assert erreur.value.message_dict["date"] == [
        "Choisissez une date entre le 22 décembre 2024 et le 21 décembre 2031."
    ]


@pytest.mark.parametrize(
    "jour", [datetime.date(2024, 12, 23), AUJOURDHUI, datetime.date(2031, 12, 20)]
)
def test_a_cafe_date_within_the_bounds_is_accepted(centre, jour):
    cafe = cafe_creer(
        serie=CafeSerieFactory(centre=centre), date=jour, adresse="12 rue Lamartine, 47000 Agen"
    )
    assert cafe.date == jour
