"""The services that views used to do themselves, called with data as the views now do:
series and hosts, a café and its circle, people who come without an invitation."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cafes.enums import StatutCafe
from cafes.models import Cafe, CafeSerie, HoteSerie, Invitation
from cafes.selectors import adresse_par_defaut
from cafes.services.cafes import cafe_creer, cafe_modifier, cafe_organisation_inviter
from cafes.services.jour import presence_noter, sur_place_ajouter
from cafes.services.series import (
    cafes_generer,
    hote_ajouter,
    hote_deplacer,
    hote_retirer,
    serie_creer,
    serie_modifier,
)
from partenariats.models import Contact, Partenaire
from tests.cafes.factories import (
    CafeFactory,
    CafeSerieFactory,
    HoteSerieFactory,
)
from tests.partenariats.factories import ContactFactory, PartenaireFactory, theme

pytestmark = pytest.mark.django_db

AUJOURDHUI = datetime.date(2026, 12, 4)


@pytest.fixture(autouse=True)
def _horloge(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 4, 8, 45, tzinfo=datetime.UTC), tick=False)


class TestSeries:
    def test_create_and_change_with_the_circle_picked_by_hand(self, centre):
        pharmacie = PartenaireFactory(centre=centre)
        serie = serie_creer(
            centre=centre,
            nom="Café partenaires de Montanou",
            categories=["ccas"],
            themes=[theme("logement")],
            partenaires=[pharmacie],
        )
        assert list(serie.partenaires.all()) == [pharmacie]
        assert [t.slug for t in serie.themes.all()] == ["logement"]
        serie_modifier(serie=serie, nom="Café du jeudi", partenaires=[])
        serie.refresh_from_db()
        assert serie.nom == "Café du jeudi"
        assert not serie.partenaires.exists()
        assert serie.themes.exists()

    def test_a_partner_of_another_centre_is_refused_and_nothing_written(self, centre, autre_centre):
        with pytest.raises(ValidationError):
            serie_creer(
                centre=centre, nom="Café", partenaires=[PartenaireFactory(centre=autre_centre)]
            )
        assert not CafeSerie.objects.exists()

    def test_hosts_added_at_the_end_moved_and_removed(self, centre, autre_centre):
        serie = CafeSerieFactory(centre=centre)
        a, b, c = (PartenaireFactory(centre=centre, nom=nom) for nom in "ABC")
        for partenaire in (a, b, c):
            hote_ajouter(serie=serie, partenaire=partenaire)
        with pytest.raises(ValidationError):
            hote_ajouter(serie=serie, partenaire=a)
        with pytest.raises(ValidationError):
            hote_ajouter(serie=serie, partenaire=PartenaireFactory(centre=autre_centre))

        def rotation():
            return [h.partenaire.nom for h in serie.hotes.order_by("ordre", "pk")]

        assert rotation() == ["A", "B", "C"]
        hote_deplacer(hote=serie.hotes.get(partenaire=c), sens=-1)
        assert rotation() == ["A", "C", "B"]
        hote_deplacer(hote=serie.hotes.get(partenaire=a), sens=-1)
        assert rotation() == ["A", "C", "B"]
        hote_retirer(hote=serie.hotes.get(partenaire=c))
        assert rotation() == ["A", "B"]
        assert list(serie.hotes.values_list("ordre", flat=True)) == [0, 2]


class TestAdresse:
    """One rule for the address a café gets when staff give none, for the programming and
    the form alike."""

    @pytest.fixture
    def serie(self, centre):
        return CafeSerieFactory(centre=centre)

    def test_the_rotation_address_first(self, serie):
        hote = HoteSerieFactory(serie=serie, adresse="Salle des fêtes")
        assert adresse_par_defaut(serie=serie, hote=hote.partenaire) == "Salle des fêtes"

    def test_then_the_partner_postal_address(self, serie):
        hote = HoteSerieFactory(serie=serie, adresse="")
        assert adresse_par_defaut(serie=serie, hote=hote.partenaire) == (
            "3 rue des Lilas, 47000 Agen"
        )
        ailleurs = PartenaireFactory(centre=serie.centre, adresse="", code_postal="")
        assert adresse_par_defaut(serie=serie, hote=ailleurs) == "Agen"

    def test_then_its_name(self, serie):
        sans = PartenaireFactory(
            centre=serie.centre, nom="Jardins du Pin", adresse="", code_postal="", commune=""
        )
        assert adresse_par_defaut(serie=serie, hote=sans) == "Jardins du Pin"

    def test_the_centre_with_its_name(self, serie):
        assert adresse_par_defaut(serie=serie, hote=None) == (
            "Centre social de Montanou, 12 rue Lamartine, 47000 Agen"
        )

    def test_programming_with_a_host_without_address(self, serie):
        """It used to give an empty address, which the café's validation refused."""
        sans = PartenaireFactory(
            centre=serie.centre, nom="Jardins du Pin", adresse="", code_postal="", commune=""
        )
        HoteSerie.objects.create(serie=serie, partenaire=sans)
        (cafe,) = cafes_generer(
            serie=serie, a_partir_de=datetime.date(2026, 12, 1), nb_mois=1
        ).crees
        assert (cafe.hote, cafe.adresse) == (sans, "Jardins du Pin")


class TestCafe:
    def test_create_then_a_taken_date_is_an_error_on_the_date(self, centre):
        serie = CafeSerieFactory(centre=centre)
        cafe = cafe_creer(serie=serie, date=datetime.date(2027, 2, 10), adresse="Mairie")
        assert (cafe.heure_debut, cafe.statut) == (serie.heure_debut, StatutCafe.PREVU)
        with pytest.raises(ValidationError) as erreur:
            cafe_creer(serie=serie, date=datetime.date(2027, 2, 10), adresse="Mairie")
        assert erreur.value.message_dict == {"date": ["La série a déjà un café à cette date."]}
        with pytest.raises(ValidationError):
            cafe_creer(
                serie=serie,
                date=datetime.date(2027, 3, 10),
                adresse="Mairie",
                statut=StatutCafe.ANNULE,
            )
        assert Cafe.objects.count() == 1

    def test_only_the_fields_staff_set(self, centre):
        cafe = CafeFactory(centre=centre)
        with pytest.raises(TypeError):
            cafe_modifier(cafe=cafe, par=None, sequence=9)

    def test_the_circle_takes_partners_of_the_centre_only(self, centre, autre_centre):
        cafe = CafeFactory(centre=centre)
        with pytest.raises(ValidationError):
            cafe_organisation_inviter(cafe=cafe, partenaire=PartenaireFactory(centre=autre_centre))
        assert not cafe.partenaires_ajoutes.exists()


class TestJour:
    @pytest.fixture
    def cafe(self, centre):
        return CafeFactory(centre=centre, date=AUJOURDHUI, statut=StatutCafe.INVITATIONS_ENVOYEES)

    def test_a_walk_in_from_data_marks_the_cafe_held(self, cafe):
        invitation, cree = sur_place_ajouter(
            cafe=cafe,
            prenom="Nadia",
            nom="Benali",
            nouvelle_organisation="  Jardins partagés du Pin ",
            email="nadia@jardins.test",
        )
        assert cree and invitation.present and invitation.sur_place
        assert invitation.contact.partenaire.nom == "Jardins partagés du Pin"
        cafe.refresh_from_db()
        assert cafe.statut == StatutCafe.TENU
        # A second person of the same new organisation joins it, not a copy of it.
        autre, cree = sur_place_ajouter(
            cafe=cafe, prenom="Karim", nom="Benali", nouvelle_organisation="jardins PARTAGÉS du pin"
        )
        assert cree and autre.contact.partenaire == invitation.contact.partenaire
        assert Partenaire.objects.filter(nom__iexact="jardins partagés du pin").count() == 1
        assert Contact.objects.count() == 2

    def test_a_walk_in_needs_an_organisation_of_the_centre(self, cafe, autre_centre):
        with pytest.raises(ValidationError):
            sur_place_ajouter(cafe=cafe, prenom="A", nom="B")
        with pytest.raises(ValidationError):
            sur_place_ajouter(
                cafe=cafe, prenom="A", nom="B", partenaire=PartenaireFactory(centre=autre_centre)
            )
        assert not Invitation.objects.exists()
        assert not Contact.objects.exists()

    def test_presence_and_the_held_cafe_together(self, cafe):
        invitation = Invitation.objects.create(
            cafe=cafe, contact=ContactFactory(centre=cafe.centre)
        )
        presence_noter(invitation=invitation, present=False)
        cafe.refresh_from_db()
        assert cafe.statut == StatutCafe.INVITATIONS_ENVOYEES
        presence_noter(invitation=invitation, present=True)
        invitation.refresh_from_db()
        cafe.refresh_from_db()
        assert invitation.present and cafe.statut == StatutCafe.TENU
