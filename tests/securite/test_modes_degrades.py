"""Degraded modes: what still works when Redis (the cache, Celery's broker) is down."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from pytest_django.asserts import assertContains

from cafes import jetons
from cafes.tasks import envoyer_invitations, reprendre_invitations
from courrier.enums import StatutCourriel
from courrier.models import Courriel
from courrier.tasks import envoyer_courriels, relancer_courriels_bloques
from partenariats.services.demandes import demande_lien
from partenariats.tasks import envoyer_lot_demandes, reprendre_lots_demandes
from reseau.jetons import jeton_creer
from reseau.models import DemandeReinitialisation
from reseau.services import reinitialisation_demander
from reseau.tasks import envoyer_reinitialisation, reprendre_reinitialisations
from tests.cafes.factories import CafeFactory, InvitationFactory
from tests.courrier.factories import CourrielFactory
from tests.factories import UserFactory
from tests.partenariats.factories import ContactFactory, DemandeMiseAJourFactory, PartenaireFactory

pytestmark = pytest.mark.django_db

MAINTENANT = datetime.datetime(2026, 12, 22, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _maintenant(time_machine):
    time_machine.move_to(MAINTENANT, tick=False)


@pytest.fixture
def redis_arrete(settings):
    # Nothing listens on port 1: every Redis call fails at once, as with Redis stopped.
    settings.CACHES = {
        "default": {
            "BACKEND": "commun.cache.RedisCacheTolerante",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_a_cache_that_cannot_reach_redis_answers_as_empty(redis_arrete):
    assert cache.get("cle", "defaut") == "defaut"
    assert cache.add("cle", 1) is True
    assert cache.incr("cle") == 1
    cache.set("cle", 1)
    cache.delete("cle")


def test_the_fiche_new_link_page_works_without_redis(
    client, redis_arrete, salarie_user, django_capture_on_commit_callbacks
):
    demande = DemandeMiseAJourFactory(
        centre=salarie_user.membres.get().centre, envoyee_par=salarie_user, expiree=True
    )
    jeton = demande_lien(demande).rstrip("/").split("/")[-1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partenariats:fiche_nouveau_lien", args=[jeton]))
    assertContains(response, "l'équipe du centre est prévenue")
    assert Courriel.objects.exists()


def test_the_rsvp_new_link_page_works_without_redis(
    client, redis_arrete, admin_user, centre, django_capture_on_commit_callbacks
):
    cafe = CafeFactory(centre=centre, date=timezone.localdate() + datetime.timedelta(days=10))
    invitation = InvitationFactory(cafe=cafe)
    jeton = jeton_creer(
        usage=jetons.USAGE_RSVP,
        pk=invitation.pk,
        expire_le=timezone.now() - datetime.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cafes:rsvp_nouveau_lien", args=[jeton]))
    assertContains(response, "l'équipe du centre est prévenue")


# --- Broker down -------------------------------------------------------------------------------


@pytest.fixture
def broker_arrete(monkeypatch):
    """Celery's broker refuses every task, as Redis stopped makes kombu do."""
    arrete = {"oui": True}
    delays = {}

    def refuser(tache):
        vrai_delay = tache.delay

        def delay(*args, **kwargs):
            if arrete["oui"]:
                raise OperationalError(
                    "Error 111 connecting to 127.0.0.1:6379. Connection refused."
                )
            return vrai_delay(*args, **kwargs)

        delays[tache.name] = delay
        monkeypatch.setattr(tache, "delay", delay)

    refuser(envoyer_courriels)
    refuser(envoyer_invitations)
    refuser(envoyer_lot_demandes)
    refuser(envoyer_reinitialisation)
    return arrete


def test_an_email_the_broker_refused_leaves_within_two_minutes_of_its_return(
    broker_arrete, time_machine, django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(email="awa@partenaire.test")
    with django_capture_on_commit_callbacks(execute=True):
        reinitialisation_demander(email="awa@partenaire.test")
    courriel = Courriel.objects.get()
    assert courriel.statut == StatutCourriel.EN_ATTENTE
    assert courriel.prochain_essai == MAINTENANT

    broker_arrete["oui"] = False
    time_machine.move_to(MAINTENANT + datetime.timedelta(seconds=61), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert relancer_courriels_bloques() == 1
    assert [m.to for m in mailoutbox] == [["awa@partenaire.test"]]


# A real commit: the request's task is queued (and refused) once its insert is committed.
@pytest.mark.django_db(transaction=True)
def test_a_password_reset_asked_with_the_broker_down_is_kept_and_sent_once_it_is_back(
    client, broker_arrete, time_machine, mailoutbox
):
    UserFactory(email="awa@centre.test")
    for email in ["awa@centre.test", "personne@inconnu.test"]:
        response = client.post(reverse("password_reset"), {"email": email}, follow=True)
        # The same neutral page as always: nothing says the broker is down.
        assertContains(response, "Si un compte existe à cette adresse")
    assert mailoutbox == []
    assert not Courriel.objects.exists()
    assert DemandeReinitialisation.objects.count() == 2

    broker_arrete["oui"] = False
    # Within its first minute a request is its task's: the sweeper leaves it.
    assert reprendre_reinitialisations() == 0
    time_machine.move_to(MAINTENANT + datetime.timedelta(seconds=61), tick=False)
    assert reprendre_reinitialisations() == 2
    assert [m.to for m in mailoutbox] == [["awa@centre.test"]]
    # Handled: nothing is kept, and the next sweep sends nothing more.
    assert not DemandeReinitialisation.objects.exists()
    assert reprendre_reinitialisations() == 0
    assert len(mailoutbox) == 1


def test_an_email_being_sent_is_not_queued_again_before_its_delay(time_machine):
    time_machine.move_to(MAINTENANT - datetime.timedelta(minutes=2), tick=False)
    CourrielFactory(en_cours=True)
    time_machine.move_to(MAINTENANT, tick=False)
    assert relancer_courriels_bloques() == 0


# A real commit: the page reads the queueing's outcome once the service's transaction is over.
@pytest.mark.django_db(transaction=True)
def test_sending_invitations_with_the_broker_down_tells_the_truth(
    client_salarie,
    centre,
    broker_arrete,
    time_machine,
    mailoutbox,
):
    cafe = CafeFactory(centre=centre, date=datetime.date(2027, 1, 1))
    cafe.serie.partenaires.set([PartenaireFactory(centre=centre)])
    ContactFactory(partenaire=cafe.serie.partenaires.get(), email="awa@partenaire.test")

    response = client_salarie.post(
        reverse("cafes:invitations_envoyer", args=[cafe.pk]), follow=True
    )
    page = response.content.decode()
    assert "les courriels partiront dès que le service d'envoi sera rétabli" in page.replace(
        "&#x27;", "'"
    )
    assert "invitations partent" not in page
    assert mailoutbox == []

    broker_arrete["oui"] = False
    time_machine.move_to(MAINTENANT + datetime.timedelta(seconds=61), tick=False)
    assert reprendre_invitations() == 1
    assert [m.to for m in mailoutbox] == [["awa@partenaire.test"]]


@pytest.mark.django_db(transaction=True)
def test_sending_fiche_requests_with_the_broker_down_tells_the_truth(
    client_salarie, centre, broker_arrete, time_machine, mailoutbox
):
    PartenaireFactory(centre=centre, email="mds@partenaire.test")

    response = client_salarie.post(reverse("partenariats:lot_creer"), follow=True)
    page = response.content.decode().replace("&#x27;", "'")
    assert "elles partiront dès que le service d'envoi sera rétabli" in page
    assert mailoutbox == []

    broker_arrete["oui"] = False
    time_machine.move_to(MAINTENANT + datetime.timedelta(seconds=61), tick=False)
    assert reprendre_lots_demandes() == 1
    assert [m.to for m in mailoutbox] == [["mds@partenaire.test"]]


@pytest.mark.django_db(transaction=True)
def test_sending_fiche_requests_with_the_broker_up_says_nothing_of_it(
    client_salarie, centre, broker_arrete, mailoutbox
):
    broker_arrete["oui"] = False
    PartenaireFactory(centre=centre, email="mds@partenaire.test")
    response = client_salarie.post(reverse("partenariats:lot_creer"), follow=True)
    assert "service d'envoi" not in response.content.decode().replace("&#x27;", "'")
    assert [m.to for m in mailoutbox] == [["mds@partenaire.test"]]


# --- The outbox page ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_email_waiting_for_the_sweeper_says_why_and_when_and_can_go_now(
    client_salarie, centre, broker_arrete, mailoutbox
):
    UserFactory(email="awa@partenaire.test")
    reinitialisation_demander(email="awa@partenaire.test")
    Courriel.objects.update(centre=centre)
    courriel = Courriel.objects.get()
    detail = reverse("courrier:detail", args=[courriel.pk])

    page = client_salarie.get(detail).content.decode().replace("&#x27;", "'")
    assert "Le service d'envoi n'a pas pris ce courriel en charge" in page
    # The refusal at 9:30 UTC (10:30 in Paris); the first sweep after one minute takes it.
    assert "Il repartira automatiquement le 22 décembre 2026 vers 10\u00a0h\u00a032" in page
    assert "Envoyer maintenant" in page

    # Still down: the page says so, and the email stays for the sweeper.
    response = client_salarie.post(reverse("courrier:relancer", args=[courriel.pk]), follow=True)
    assert "le courriel partira dès que le service d'envoi sera rétabli" in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert mailoutbox == []

    broker_arrete["oui"] = False
    client_salarie.post(reverse("courrier:relancer", args=[courriel.pk]))
    assert [m.to for m in mailoutbox] == [["awa@partenaire.test"]]


def test_an_email_a_task_holds_cannot_be_sent_again(client_salarie, centre, mailoutbox):
    courriel = CourrielFactory(centre=centre)
    assert (
        "Envoyer maintenant"
        not in client_salarie.get(reverse("courrier:detail", args=[courriel.pk])).content.decode()
    )
    response = client_salarie.post(reverse("courrier:relancer", args=[courriel.pk]), follow=True)
    assert "Seul un courriel en échec, annulé ou qui attend" in response.content.decode()
