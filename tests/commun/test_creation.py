"""A creation form sent twice (double click, reload, second tab) makes one object: the second
sending leads to what the first one made."""

import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from partenariats.enums import Construction, Horizon, NiveauImplication, TypePartenariat
from partenariats.models import Convention, Partenariat, Projet
from tests.partenariats.factories import PartenaireFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_vide():
    cache.clear()
    yield
    cache.clear()


def formulaires(partenaire):
    """(URL, POST data, model) of each creation form the mixin guards."""
    return [
        (
            reverse("partenariats:partenariat_creer"),
            {
                "partenaire": partenaire.pk,
                "type": TypePartenariat.ACTION,
                "objet": "Stages sportifs des vacances",
                "niveau": NiveauImplication.ALLIE,
                "horizon": Horizon.COURT,
                "statut": "actif",
                "construction": Construction.CO_CONSTRUIT,
            },
            Partenariat,
        ),
        (
            reverse("partenariats:projet_creer"),
            {"titre": "Jardin partagé", "genre": "projet", "statut": "en_preparation"},
            Projet,
        ),
        (
            reverse("partenariats:convention_creer"),
            {
                "financeur": partenaire.pk,
                "objet": "Prestation de service",
                "statut": "demandee",
                "debut": "2026-01-01",
                "fin": "2026-12-31",
                "montants-TOTAL_FORMS": 1,
                "montants-INITIAL_FORMS": 0,
                "montants-0-annee": "2026",
                "montants-0-montant": "1 000",
            },
            Convention,
        ),
    ]


def test_the_empty_form_carries_a_new_key_each_time(client_salarie, centre):
    partenaire = PartenaireFactory(centre=centre)
    for url, _donnees, _modele in formulaires(partenaire):
        premiere = client_salarie.get(url).context["cle_creation"]
        seconde = client_salarie.get(url).context["cle_creation"]
        assert premiere != seconde
        assertContains(client_salarie.get(url), 'name="cle_creation"')


def test_the_same_form_sent_twice_makes_one_object(client_salarie, centre):
    partenaire = PartenaireFactory(centre=centre)
    for url, donnees, modele in formulaires(partenaire):
        donnees["cle_creation"] = str(uuid.uuid4())
        premiere = client_salarie.post(url, donnees)
        assert premiere.status_code == 302, url
        seconde = client_salarie.post(url, donnees)
        assertRedirects(seconde, premiere["Location"], fetch_redirect_response=False)
        assert modele.objects.filter(centre=centre).count() == 1, url
        assertContains(client_salarie.get(seconde["Location"]), "déjà été enregistré")
        # A new form (a new key) makes a new one.
        donnees["cle_creation"] = str(uuid.uuid4())
        assert client_salarie.post(url, donnees).status_code == 302
        assert modele.objects.filter(centre=centre).count() == 2, url


def test_a_form_sent_back_with_errors_may_be_sent_again_with_its_key(client_salarie, centre):
    cle = str(uuid.uuid4())
    url = reverse("partenariats:projet_creer")
    invalide = client_salarie.post(url, {"titre": "", "genre": "projet", "cle_creation": cle})
    assert invalide.status_code == 200
    assert str(invalide.context["cle_creation"]) == cle, "the key travels with the form"
    valide = client_salarie.post(
        url,
        {
            "titre": "Jardin partagé",
            "genre": "projet",
            "statut": "en_preparation",
            "cle_creation": cle,
        },
    )
    assert valide.status_code == 302
    assert Projet.objects.filter(centre=centre).count() == 1


def test_a_sending_while_the_first_is_still_running_points_to_the_list(
    client_salarie, centre, monkeypatch
):
    monkeypatch.setattr("commun.creation.ATTENTE_MAX", 0.2)
    cle = uuid.uuid4()
    url = reverse("partenariats:projet_creer")
    cache.set(
        f"creation:ProjetCreateView:{client_salarie.session['_auth_user_id']}:{cle}", "en-cours"
    )
    response = client_salarie.post(
        url, {"titre": "Jardin", "genre": "projet", "statut": "en_preparation", "cle_creation": cle}
    )
    assertRedirects(response, reverse("partenariats:projet_liste"), fetch_redirect_response=False)
    assert not Projet.objects.exists()
