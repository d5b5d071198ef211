from datetime import date, time

import pytest

from cafes.calendrier import date_du_mois, dates_serie, heure, jours_feries, paques
from cafes.enums import Jour, Rang
from cafes.models import Cafe
from cafes.selectors import cafe_cercle, cafe_destinataires, hote_suivant
from cafes.services.series import DEJA_PROGRAMME, FERIE, cafes_generer
from partenariats.enums import CategoriePartenaire
from tests.cafes.factories import CafeFactory, CafeSerieFactory, HoteSerieFactory
from tests.partenariats.factories import ContactFactory, PartenaireFactory, theme

pytestmark = pytest.mark.django_db


class TestCalendrier:
    @pytest.mark.parametrize(
        ("rang", "jour", "attendu"),
        [
            (Rang.PREMIER, Jour.VENDREDI, date(2026, 12, 4)),
            (Rang.TROISIEME, Jour.MARDI, date(2026, 12, 15)),
            (Rang.DERNIER, Jour.MERCREDI, date(2026, 12, 30)),
            (Rang.QUATRIEME, Jour.JEUDI, date(2026, 12, 24)),
        ],
    )
    def test_date_of_the_month(self, rang, jour, attendu):
        assert date_du_mois(2026, 12, rang=rang, jour=jour) == attendu

    def test_dates_skip_this_month_when_already_past(self):
        dates = dates_serie(
            rang=Rang.PREMIER, jour=Jour.VENDREDI, a_partir_de=date(2026, 11, 23), nb_mois=3
        )
        assert dates == [date(2026, 12, 4), date(2027, 1, 1)]

    def test_year_boundary(self):
        dates = dates_serie(
            rang=Rang.DERNIER, jour=Jour.LUNDI, a_partir_de=date(2026, 11, 1), nb_mois=3
        )
        assert dates == [date(2026, 11, 30), date(2026, 12, 28), date(2027, 1, 25)]

    @pytest.mark.parametrize(
        ("annee", "dimanche"),
        [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2027, date(2027, 3, 28))],
    )
    def test_easter(self, annee, dimanche):
        assert paques(annee) == dimanche

    def test_public_holidays_of_2027(self):
        assert sorted(jours_feries(2027)) == [
            date(2027, 1, 1),
            date(2027, 3, 29),  # lundi de Pâques
            date(2027, 5, 1),
            date(2027, 5, 6),  # Ascension
            date(2027, 5, 8),
            date(2027, 5, 17),  # lundi de Pentecôte
            date(2027, 7, 14),
            date(2027, 8, 15),
            date(2027, 11, 1),
            date(2027, 11, 11),
            date(2027, 12, 25),
        ]


class TestGeneration:
    def test_next_six_months_with_exclusions_and_rotation(self, centre):
        serie = CafeSerieFactory(centre=centre, rang=Rang.PREMIER, jour=Jour.VENDREDI)
        cms = HoteSerieFactory(serie=serie, adresse="14 avenue de Montanou, 47000 Agen").partenaire
        regie = HoteSerieFactory(serie=serie, adresse="").partenaire
        programme = cafes_generer(
            serie=serie,
            a_partir_de=date(2026, 12, 1),
            nb_mois=6,
            exclues=[date(2027, 1, 1)],
        )
        crees = programme.crees
        assert programme.ecartees == [(date(2027, 1, 1), FERIE)]
        assert [c.date for c in crees] == [
            date(2026, 12, 4),
            date(2027, 2, 5),
            date(2027, 3, 5),
            date(2027, 4, 2),
            date(2027, 5, 7),
        ]
        assert [c.hote for c in crees] == [cms, regie, cms, regie, cms]
        assert crees[0].adresse == "14 avenue de Montanou, 47000 Agen"
        assert crees[1].adresse == "3 rue des Lilas, 47000 Agen"
        assert crees[0].heure_debut == time(9, 0) and crees[0].heure_fin == time(10, 30)
        assert all(c.centre == centre for c in crees)

    def test_running_again_creates_nothing_more(self, centre):
        serie = CafeSerieFactory(centre=centre)
        cafes_generer(serie=serie, a_partir_de=date(2026, 12, 1), nb_mois=3)
        programme = cafes_generer(serie=serie, a_partir_de=date(2026, 12, 1), nb_mois=3)
        assert programme.crees == []
        assert [raison for _jour, raison in programme.ecartees] == [DEJA_PROGRAMME] * 3
        assert Cafe.objects.filter(serie=serie).count() == 3

    def test_the_centre_hosts_when_no_rotation(self, centre):
        serie = CafeSerieFactory(centre=centre)
        (cafe,) = cafes_generer(serie=serie, a_partir_de=date(2026, 12, 1), nb_mois=1).crees
        assert cafe.hote is None
        assert cafe.adresse == f"{centre.nom}, 12 rue Lamartine, 47000 Agen"

    def test_rotation_continues_after_the_last_hosted_cafe(self, centre):
        serie = CafeSerieFactory(centre=centre)
        premier, second = HoteSerieFactory(serie=serie), HoteSerieFactory(serie=serie)
        CafeFactory(serie=serie, centre=centre, date=date(2026, 11, 6), hote=second.partenaire)
        assert hote_suivant(serie) == premier
        CafeFactory(serie=serie, centre=centre, date=date(2026, 12, 4), hote=premier.partenaire)
        assert hote_suivant(serie) == second


class TestCercle:
    def test_circle_is_series_rule_plus_additions_minus_removals(self, centre, autre_centre):
        serie = CafeSerieFactory(centre=centre, categories=[CategoriePartenaire.CCAS])
        serie.themes.add(theme("logement"))
        ccas = PartenaireFactory(centre=centre, nom="CCAS", categorie=CategoriePartenaire.CCAS)
        bailleur = PartenaireFactory(centre=centre, nom="Agen Habitat", themes=["logement"])
        choisi = PartenaireFactory(centre=centre, nom="Pharmacie")
        serie.partenaires.add(choisi)
        ajoute = PartenaireFactory(centre=centre, nom="Judo club")
        retire = PartenaireFactory(centre=centre, nom="Habitalys", themes=["logement"])
        PartenaireFactory(centre=centre, nom="Archivé", categorie="ccas", archive_=True)
        PartenaireFactory(centre=centre, nom="Hors cercle")
        PartenaireFactory(centre=autre_centre, nom="Ailleurs", categorie="ccas")
        cafe = CafeFactory(serie=serie, centre=centre)
        cafe.partenaires_ajoutes.add(ajoute)
        cafe.partenaires_retires.add(retire)
        assert list(cafe_cercle(cafe)) == [bailleur, ccas, ajoute, choisi]

    def test_one_invitation_per_contact_who_receives_them(self, centre):
        serie = CafeSerieFactory(centre=centre, categories=[CategoriePartenaire.ASSOCIATION])
        partenaire = PartenaireFactory(centre=centre)
        invite = ContactFactory(partenaire=partenaire, nom="Invité")
        ContactFactory(partenaire=partenaire, nom="Désinscrit", desinscrit=True)
        ContactFactory(partenaire=partenaire, nom="Sans adresse", email="")
        ContactFactory(partenaire=partenaire, nom="Pas les cafés", recoit_invitations_cafe=False)
        cafe = CafeFactory(serie=serie, centre=centre)
        assert list(cafe_destinataires(cafe)) == [invite]


def test_partner_timeline_shows_cafes_hosted_and_attended(centre):
    from partenariats.selectors import partenaire_chronologie
    from tests.cafes.factories import InvitationFactory

    serie = CafeSerieFactory(centre=centre, nom="Café partenaires de Montanou")
    hote = PartenaireFactory(centre=centre, nom="Régie")
    CafeFactory(serie=serie, centre=centre, date=date(2026, 10, 2), hote=hote)
    venu = ContactFactory(partenaire=hote)
    cafe = CafeFactory(serie=serie, centre=centre, date=date(2026, 11, 6))
    InvitationFactory(cafe=cafe, contact=venu, present=True)
    absent = CafeFactory(serie=serie, centre=centre, date=date(2026, 12, 4))
    InvitationFactory(cafe=absent, contact=venu, present=False)
    libelles = [e.libelle for e in partenaire_chronologie(hote)]
    assert "Présent au Café partenaires de Montanou — 06/11/2026" in libelles
    assert "A accueilli le Café partenaires de Montanou — 02/10/2026" in libelles
    assert not any("04/12/2026" in libelle for libelle in libelles)


def test_demo_has_past_and_upcoming_cafes_and_loads_once(db, time_machine):
    import io

    from django.core.management import call_command

    from cafes.enums import StatutCafe
    from cafes.models import CompteRendu, Invitation

    time_machine.move_to("2026-11-23 10:00+01:00", tick=False)
    call_command("demo", stdout=io.StringIO())
    counts = (Cafe.objects.count(), Invitation.objects.count(), CompteRendu.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert (Cafe.objects.count(), Invitation.objects.count(), CompteRendu.objects.count()) == counts
    tenus = Cafe.objects.filter(statut=StatutCafe.TENU)
    assert [c.date for c in tenus] == [date(2026, 9, 4), date(2026, 10, 2), date(2026, 11, 6)]
    assert Cafe.objects.filter(date__gt=date(2026, 11, 23)).count() == 3
    assert not Cafe.objects.filter(date=date(2027, 1, 1)).exists()
    assert Invitation.objects.filter(present=True).exists()
    assert counts[2] == 3


@pytest.mark.parametrize(
    ("moment", "attendu"),
    [
        (time(9, 0), "9\u00a0h"),
        (time(10, 30), "10\u00a0h\u00a030"),
        (time(14, 5), "14\u00a0h\u00a005"),
    ],
)
def test_times_are_written_the_french_way(moment, attendu):
    assert heure(moment) == attendu
