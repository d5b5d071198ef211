"""The reads the café code shares: a café's start and end, the invitations' queryset, and the
migration that moved "reminder sent" and "minutes sent" from the outbox to the invitation."""

import datetime
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from cafes.enums import Reponse, StatutCafe
from cafes.models import Cafe, Invitation
from cafes.services.invitations import rappels_envoyer
from courrier.models import Courriel
from tests.cafes.factories import CafeFactory, InvitationFactory
from tests.partenariats.factories import ContactFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MAINTENANT = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _horloge(time_machine):
    time_machine.move_to(MAINTENANT, tick=False)


class TestDebutEtFin:
    @pytest.mark.parametrize(
        ("jour", "decalage"),
        [(datetime.date(2026, 12, 4), 1), (datetime.date(2027, 6, 4), 2)],
    )
    def test_paris_wall_clock_in_winter_and_summer(self, jour, decalage):
        cafe = Cafe(date=jour, heure_debut=datetime.time(9, 0), heure_fin=datetime.time(10, 30))
        assert cafe.debut == datetime.datetime.combine(jour, datetime.time(9, 0), tzinfo=PARIS)
        assert cafe.fin == datetime.datetime.combine(jour, datetime.time(10, 30), tzinfo=PARIS)
        assert cafe.debut.utcoffset() == datetime.timedelta(hours=decalage)

    def test_answers_close_when_it_starts_or_is_cancelled(self, time_machine):
        cafe = Cafe(
            date=datetime.date(2026, 12, 4),
            heure_debut=datetime.time(9, 0),
            heure_fin=datetime.time(10, 30),
            statut=StatutCafe.INVITATIONS_ENVOYEES,
        )
        assert cafe.reponses_ouvertes
        time_machine.move_to(datetime.datetime(2026, 12, 4, 8, 59, tzinfo=PARIS), tick=False)
        assert cafe.reponses_ouvertes
        time_machine.move_to(datetime.datetime(2026, 12, 4, 9, 0, tzinfo=PARIS), tick=False)
        assert not cafe.reponses_ouvertes
        time_machine.move_to(MAINTENANT, tick=False)
        cafe.statut = StatutCafe.ANNULE
        assert not cafe.reponses_ouvertes


class TestInvitationQuerySet:
    @pytest.fixture
    def cafe(self, centre):
        return CafeFactory(centre=centre)

    def inviter(self, cafe, nom, *, contact=None, **champs):
        contact = ContactFactory(centre=cafe.centre, nom=nom, **(contact or {}))
        return InvitationFactory(cafe=cafe, contact=contact, **champs)

    def noms(self, invitations):
        return sorted(invitation.contact.nom for invitation in invitations)

    def test_who_is_emailed_what(self, cafe):
        self.inviter(cafe, "attente")
        self.inviter(cafe, "oui", envoyee=True, reponse=Reponse.OUI)
        self.inviter(cafe, "non", envoyee=True, reponse=Reponse.NON)
        self.inviter(cafe, "rappele", envoyee=True, rappel_envoye_le=MAINTENANT)
        self.inviter(cafe, "parti", envoyee=True, contact={"desinscrit": True})
        self.inviter(cafe, "sans adresse", contact={"email": ""})
        self.inviter(cafe, "cr", envoyee=True, compte_rendu_envoye_le=MAINTENANT)
        invitations = cafe.invitations
        assert self.noms(invitations.joignables()) == ["attente", "cr", "non", "oui", "rappele"]
        assert self.noms(invitations.a_envoyer()) == ["attente"]
        assert self.noms(invitations.a_prevenir()) == ["cr", "non", "oui", "rappele"]
        assert self.noms(invitations.a_rappeler()) == ["cr", "oui"]
        assert self.noms(invitations.sans_compte_rendu()) == ["attente", "non", "oui", "rappele"]
        assert invitations.envois_compte_rendu() == {"a_envoyer": 4, "deja": 1}

    def test_expected_people_and_places(self, cafe):
        self.inviter(cafe, "oui", reponse=Reponse.OUI, nb_personnes=3)
        self.inviter(cafe, "peut-être", reponse=Reponse.PEUT_ETRE, nb_personnes=2)
        self.inviter(cafe, "sur place", sur_place=True, present=True)
        self.inviter(cafe, "non", reponse=Reponse.NON)
        self.inviter(cafe, "muet")
        attendues = ["oui", "peut-être", "sur place"]
        assert self.noms(cafe.invitations.attendues()) == attendues
        annotees = cafe.invitations.avec_attendue()
        assert self.noms(i for i in annotees if i.attendue) == attendues
        assert cafe.invitations.places_reservees() == 3

    def test_totals_per_organisation_in_one_query(self, cafe, django_assert_num_queries):
        premier = self.inviter(cafe, "a", envoyee=True, reponse=Reponse.OUI)
        self.inviter(cafe, "b", contact={"partenaire": premier.contact.partenaire})
        with django_assert_num_queries(1):
            (ligne,) = cafe.invitations.totaux_par_organisation()
        assert (ligne["total"], ligne["envoyees"], ligne["en_attente"], ligne["oui"]) == (
            2,
            1,
            1,
            1,
        )


class TestMigrationDepuisLeCourrier:
    """0004 gives each invitation the date of its first reminder and minutes found in the
    outbox (the header the old code read back), so that nothing goes out twice."""

    @pytest.fixture
    def remplir(self):
        migration = importlib.import_module(
            "cafes.migrations.0004_invitation_rappel_compte_rendu_envoyes"
        )
        return lambda: migration.remplir_depuis_le_courrier(apps, None)

    def courriel(self, invitation, gabarit, cree_le):
        courriel = Courriel.objects.create(
            destinataire=invitation.contact.email,
            sujet="x",
            corps_texte="x",
            en_tetes={"X-Maillage-Modele": gabarit},
            content_type=ContentType.objects.get_for_model(Invitation),
            object_id=invitation.pk,
        )
        Courriel.objects.filter(pk=courriel.pk).update(cree_le=cree_le)

    def test_fields_come_from_the_first_outbox_row_of_each_kind(self, centre, remplir):
        cafe = CafeFactory(
            centre=centre, date=datetime.date(2026, 11, 25), statut=StatutCafe.INVITATIONS_ENVOYEES
        )
        cafe.serie.rappel_jours = 2
        cafe.serie.save()
        rappelee, oubliee, deja = (InvitationFactory(cafe=cafe, envoyee=True) for _ in range(3))
        lundi = datetime.datetime(2026, 11, 16, 8, tzinfo=datetime.UTC)
        mardi = lundi + datetime.timedelta(days=1)
        self.courriel(rappelee, "cafes/emails/rappel", mardi)
        self.courriel(rappelee, "cafes/emails/rappel", lundi)
        self.courriel(rappelee, "cafes/emails/compte_rendu", mardi)
        # Another kind of email, or another object with the same id, counts for nothing.
        self.courriel(oubliee, "cafes/emails/invitation", lundi)
        Courriel.objects.create(
            destinataire="x@y.test",
            sujet="x",
            corps_texte="x",
            en_tetes={"X-Maillage-Modele": "cafes/emails/rappel"},
            content_type=ContentType.objects.get_for_model(Cafe),
            object_id=oubliee.pk,
        )
        Invitation.objects.filter(pk=deja.pk).update(rappel_envoye_le=mardi)
        self.courriel(deja, "cafes/emails/rappel", lundi)

        remplir()
        remplir()  # Twice changes nothing.

        rappelee.refresh_from_db()
        assert (rappelee.rappel_envoye_le, rappelee.compte_rendu_envoye_le) == (lundi, mardi)
        oubliee.refresh_from_db()
        assert (oubliee.rappel_envoye_le, oubliee.compte_rendu_envoye_le) == (None, None)
        deja.refresh_from_db()
        assert deja.rappel_envoye_le == mardi
        # After the deploy, the reminder goes only to the invitation that had none.
        assert rappels_envoyer(datetime.date(2026, 11, 23)) == 1
