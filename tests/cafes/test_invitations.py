import datetime
import threading
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from pytest_django.asserts import assertContains

from cafes import emails
from cafes.enums import Reponse, StatutCafe
from cafes.jetons import lien_desinscription, lien_rsvp
from cafes.models import Cafe, Invitation
from cafes.selectors import invitations_contexte
from cafes.services import invitations
from cafes.services.cafes import cafe_annuler, cafe_modifier
from cafes.services.invitations import (
    invitations_envoyer,
    invitations_expedier,
    invitations_preparer,
    rappels_envoyer,
)
from cafes.services.jour import sur_place_ajouter
from cafes.tasks import envoyer_invitations, envoyer_rappels, reprendre_invitations
from courrier.models import Courriel
from partenariats.models import Contact
from tests.cafes.concurrence import en_meme_temps
from tests.cafes.courriels import calendrier, html
from tests.cafes.factories import CafeFactory, CafeSerieFactory
from tests.partenariats.factories import ContactFactory, PartenaireFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://maillage.example.org"
MAINTENANT = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _contexte(settings):
    settings.SITE_URL = SITE_URL
    with time_machine.travel(MAINTENANT, tick=False):
        yield


@pytest.fixture
def cafe(centre):
    mds = PartenaireFactory(centre=centre, nom="Maison des solidarités")
    regie = PartenaireFactory(centre=centre, nom="Régie de quartier")
    serie = CafeSerieFactory(centre=centre, nom="Café partenaires de Montanou", rappel_jours=2)
    serie.partenaires.set([mds, regie])
    return CafeFactory(
        centre=centre,
        serie=serie,
        date=datetime.date(2026, 12, 4),
        heure_debut=datetime.time(9, 0),
        heure_fin=datetime.time(10, 30),
        hote=mds,
        adresse="14 avenue de Montanou, 47000 Agen",
    )


def inviter(cafe, *emails, partenaire=None, **kwargs):
    partenaire = partenaire or cafe.serie.partenaires.get(nom="Maison des solidarités")
    return [ContactFactory(partenaire=partenaire, email=email, **kwargs) for email in emails]


def envoyer(cafe, capture, user=None):
    with capture(execute=True):
        return invitations_envoyer(cafe=cafe, par=user)


class TestEnvoi:
    def test_one_email_per_contact_with_everything(
        self, cafe, django_capture_on_commit_callbacks, mailoutbox
    ):
        (awa,) = inviter(cafe, "awa@mds.test")
        envoyer(cafe, django_capture_on_commit_callbacks)

        (message,) = mailoutbox
        assert message.to == ["awa@mds.test"] and not message.cc and not message.bcc
        invitation = Invitation.objects.get()
        assert message.subject == ("Invitation : Café partenaires de Montanou, vendredi 4 décembre")
        for corps in (message.body, html(message)):
            assert "vendredi 4 décembre 2026" in corps
            assert "de 9\u00a0h à 10\u00a0h\u00a030" in corps
            assert "Maison des solidarités" in corps
            assert "14 avenue de Montanou, 47000 Agen" in corps
            for reponse in Reponse.values:
                lien = lien_rsvp(invitation, reponse)
                assert lien.startswith(f"{SITE_URL}/cafes/reponse/")
                assert lien.endswith(f"?reponse={reponse}")
                assert lien in corps
            assert lien_desinscription(awa) in corps
        for libelle in ("Je viens", "Je ne viens pas", "Peut-être"):
            assert f">{libelle}</a>" in html(message)
        assert "&amp;" not in message.body

        assert message.extra_headers["List-Unsubscribe"] == f"<{lien_desinscription(awa)}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # What an email is about lives on the invitation, not in a header read back.
        assert "X-Maillage-Modele" not in message.extra_headers
        methode, cal, vevent = calendrier(message)
        assert methode == "PUBLISH" and cal["METHOD"] == "PUBLISH"
        assert vevent["UID"] == f"{cafe.uid}@maillage"
        assert vevent["SEQUENCE"] == 0
        # The same file for everyone: no personal link in it.
        ics = cal.to_ical().decode()
        assert "/cafes/" not in ics and "reponse" not in ics and SITE_URL not in ics

        assert invitation.contact == awa
        assert invitation.envoyee_le == MAINTENANT
        assert invitation.courriel == Courriel.objects.get()
        cafe.refresh_from_db()
        assert cafe.statut == StatutCafe.INVITATIONS_ENVOYEES

    def test_one_recipient_per_email(self, cafe, django_capture_on_commit_callbacks, mailoutbox):
        inviter(cafe, "a@mds.test", "b@mds.test")
        inviter(cafe, "c@regie.test", partenaire=cafe.serie.partenaires.get(nom__startswith="R"))
        envoyer(cafe, django_capture_on_commit_callbacks)
        assert sorted(m.to[0] for m in mailoutbox) == ["a@mds.test", "b@mds.test", "c@regie.test"]
        assert all(len(m.to) == 1 for m in mailoutbox)

    def test_opted_out_and_unwilling_contacts_are_not_invited(
        self, cafe, django_capture_on_commit_callbacks, mailoutbox
    ):
        inviter(cafe, "oui@mds.test")
        inviter(cafe, "parti@mds.test", desinscrit=True)
        inviter(cafe, "pas-cafe@mds.test", recoit_invitations_cafe=False)
        envoyer(cafe, django_capture_on_commit_callbacks)
        assert [m.to for m in mailoutbox] == [["oui@mds.test"]]
        assert Invitation.objects.count() == 1

    def test_sending_again_only_reaches_new_invitees(
        self, cafe, django_capture_on_commit_callbacks, mailoutbox
    ):
        inviter(cafe, "a@mds.test")
        envoyer(cafe, django_capture_on_commit_callbacks)
        assert envoyer(cafe, django_capture_on_commit_callbacks) == 0
        inviter(cafe, "b@mds.test")
        assert envoyer(cafe, django_capture_on_commit_callbacks) == 1
        assert [m.to for m in mailoutbox] == [["a@mds.test"], ["b@mds.test"]]
        assert Invitation.objects.count() == 2

    def test_prepare_is_idempotent(self, cafe):
        inviter(cafe, "a@mds.test", "b@mds.test")
        assert invitations_preparer(cafe=cafe) == 2
        assert invitations_preparer(cafe=cafe) == 0
        assert Invitation.objects.filter(envoyee_le__isnull=True).count() == 2

    def test_the_task_twice_emails_no_one_twice(
        self, cafe, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
    ):
        monkeypatch.setattr(invitations, "TAILLE_LOT", 2)
        inviter(cafe, *(f"c{n}@mds.test" for n in range(5)))
        invitations_preparer(cafe=cafe)
        with django_capture_on_commit_callbacks(execute=True):
            envoyer_invitations.delay(cafe.pk)
            envoyer_invitations.delay(cafe.pk)
        assert sorted(m.to[0] for m in mailoutbox) == [f"c{n}@mds.test" for n in range(5)]
        assert Courriel.objects.count() == 5
        assert not Invitation.objects.filter(envoyee_le__isnull=True).exists()

    def test_a_retry_after_a_crash_resumes_where_it_stopped(
        self, cafe, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
    ):
        inviter(cafe, *(f"c{n}@mds.test" for n in range(5)))
        invitations_preparer(cafe=cafe)
        vrai = emails.courriel_preparer
        appels = []

        def panne_au_troisieme(**kwargs):
            appels.append(kwargs["destinataire"])
            if len(appels) == 3:
                raise ConnectionError("database went away")
            return vrai(**kwargs)

        monkeypatch.setattr(emails, "courriel_preparer", panne_au_troisieme)
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(ConnectionError):
                invitations_expedier(cafe_id=cafe.pk, taille=2)
        # The first batch committed; the failing one left nothing behind.
        assert cafe.invitations.totaux()["envoyees"] == 2
        assert Courriel.objects.count() == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert invitations_expedier(cafe_id=cafe.pk, taille=2) == 3
        assert sorted(m.to[0] for m in mailoutbox) == [f"c{n}@mds.test" for n in range(5)]

    def test_a_refused_address_is_skipped_not_blocking(
        self, cafe, django_capture_on_commit_callbacks, mailoutbox
    ):
        inviter(cafe, "a@mds.test", "b@mds.test")
        invitations_preparer(cafe=cafe)
        # An address that slipped past the form's validation (an import, the shell).
        Contact.objects.filter(email="a@mds.test").update(email="pas une adresse")
        with django_capture_on_commit_callbacks(execute=True):
            assert invitations_expedier(cafe_id=cafe.pk) == 1
        assert [m.to for m in mailoutbox] == [["b@mds.test"]]

    def test_a_past_cafe_sends_no_invitation(self, cafe, django_capture_on_commit_callbacks):
        inviter(cafe, "a@mds.test")
        Cafe.objects.filter(pk=cafe.pk).update(date=datetime.date(2026, 11, 20))
        with pytest.raises(ValidationError):
            envoyer(cafe, django_capture_on_commit_callbacks)
        assert not Invitation.objects.exists()

    def test_a_lost_task_is_queued_again(
        self, cafe, django_capture_on_commit_callbacks, mailoutbox
    ):
        inviter(cafe, "a@mds.test", "b@mds.test")
        # Another café waiting, but whose only invitee opted out since: nothing to resume.
        autre = CafeFactory(centre=cafe.centre, serie=cafe.serie, statut=StatutCafe.PREVU)
        Invitation.objects.create(
            cafe=autre, contact=ContactFactory(partenaire=cafe.hote, desinscrit=True)
        )
        Cafe.objects.filter(pk=autre.pk).update(statut=StatutCafe.INVITATIONS_ENVOYEES)
        # The broker was down at commit: invitations recorded, nothing sent.
        with django_capture_on_commit_callbacks(execute=False):
            invitations_envoyer(cafe=cafe, par=None)
        with django_capture_on_commit_callbacks(execute=True):
            assert reprendre_invitations.delay().get() == 0
        assert mailoutbox == []
        with time_machine.travel(MAINTENANT + datetime.timedelta(minutes=11), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                assert reprendre_invitations.delay().get() == 1
            with django_capture_on_commit_callbacks(execute=True):
                assert reprendre_invitations.delay().get() == 0
        assert sorted(m.to[0] for m in mailoutbox) == ["a@mds.test", "b@mds.test"]

    def test_a_cancelled_cafe_sends_no_invitation(self, cafe, django_capture_on_commit_callbacks):
        inviter(cafe, "a@mds.test")
        Cafe.objects.filter(pk=cafe.pk).update(statut=StatutCafe.ANNULE)
        with pytest.raises(ValidationError):
            envoyer(cafe, django_capture_on_commit_callbacks)
        invitations_preparer(cafe=cafe)
        assert invitations_expedier(cafe_id=cafe.pk) == 0


@pytest.mark.django_db(transaction=True)
def test_runs_side_by_side_share_the_work_and_email_no_one_twice(cafe, mailoutbox, monkeypatch):
    """invitations_envoyer queues several sending tasks: their batches must not overlap."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL.")
    monkeypatch.setattr(invitations, "TAILLE_LOT", 3)
    adresses = [f"c{n}@mds.test" for n in range(30)]
    inviter(cafe, *adresses)
    invitations_preparer(cafe=cafe)
    depart = threading.Barrier(3)
    envoyees, erreurs = [], []

    def expedier():
        try:
            depart.wait()
            with scope(centre=cafe.centre_id):  # as each worker's task opens it
                envoyees.append(invitations_expedier(cafe_id=cafe.pk))
        except Exception as exc:  # collected: an assertion in a thread would be lost
            erreurs.append(exc)
        finally:
            connection.close()

    fils = [threading.Thread(target=expedier) for _ in range(3)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()

    assert erreurs == []
    assert sum(envoyees) == 30
    assert sorted(m.to[0] for m in mailoutbox) == sorted(adresses)
    assert Courriel.objects.count() == 30
    assert not Invitation.objects.filter(envoyee_le__isnull=True).exists()


def test_sending_queues_tasks_side_by_side_for_a_large_cafe(
    cafe, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(invitations, "TAILLE_LOT", 2)
    inviter(cafe, *(f"c{n}@mds.test" for n in range(5)))
    taches = []
    monkeypatch.setattr(envoyer_invitations, "delay", taches.append)

    with django_capture_on_commit_callbacks(execute=True):
        invitations_envoyer(cafe=cafe, par=None)

    # Three batches of at most two: three tasks, each taking the next free batch.
    assert taches == [cafe.pk] * 3


class TestProgression:
    def test_counts_overall_and_per_organisation(self, cafe):
        inviter(cafe, "a@mds.test", "b@mds.test", "c@mds.test")
        inviter(cafe, "d@regie.test", partenaire=cafe.serie.partenaires.get(nom__startswith="R"))
        invitations_preparer(cafe=cafe)
        Invitation.objects.filter(contact__email="a@mds.test").update(
            reponse=Reponse.OUI, envoyee_le=MAINTENANT
        )
        Invitation.objects.filter(contact__email="b@mds.test").update(
            reponse=Reponse.NON, envoyee_le=MAINTENANT
        )
        Invitation.objects.filter(contact__email="d@regie.test").update(reponse=Reponse.PEUT_ETRE)
        assert cafe.invitations.totaux() == {
            "total": 4,
            "envoyees": 2,
            "en_attente": 2,
            "oui": 1,
            "non": 1,
            "peut_etre": 1,
            "sans_reponse": 1,
            "sur_place": 0,
            "personnes": 1,
        }
        assert [
            (o["nom"], o["total"], o["oui"], o["non"], o["peut_etre"], o["sans_reponse"])
            for o in cafe.invitations.totaux_par_organisation()
        ] == [
            ("Maison des solidarités", 3, 1, 1, 0, 1),
            ("Régie de quartier", 1, 0, 0, 1, 0),
        ]
        ecrire = SimpleNamespace(peut_modifier=True)
        requete = RequestFactory().get("/")
        page = render_to_string(
            "cafes/_invitations.html",
            {
                "cafe": cafe,
                "csrf_token": "x",
                "membre_courant": ecrire,
                **invitations_contexte(requete, cafe),
            },
            request=requete,
        )
        assert "2 sur 4 envoyées" in page
        progression = reverse("cafes:invitations_progression", args=[cafe.pk])
        assert f'hx-get="{progression}"' in page
        assert "Envoyer les invitations" in page
        Contact.objects.filter(email__in=["c@mds.test", "d@regie.test"]).update(
            desinscrit_le=MAINTENANT
        )
        contexte = {
            "cafe": cafe,
            "csrf_token": "x",
            "membre_courant": SimpleNamespace(peut_modifier=False),
            **invitations_contexte(requete, cafe),
        }
        page = render_to_string("cafes/_invitations.html", contexte, request=requete)
        assert "2 sur 4 envoyées" in page
        assert "hx-get" not in page
        # Read-only members see the counts, not the button.
        assert "Envoyer les invitations" not in page

    def test_counts_in_one_query(self, cafe, django_assert_num_queries):
        inviter(cafe, "a@mds.test", "b@mds.test")
        invitations_preparer(cafe=cafe)
        with django_assert_num_queries(1):
            assert cafe.invitations.totaux()["total"] == 2

    def test_progress_for_the_page_to_poll(self, cafe, client_salarie, lecture_user):
        inviter(cafe, "a@mds.test", "b@mds.test", "c@mds.test")
        invitations_preparer(cafe=cafe)
        Invitation.objects.filter(contact__email="a@mds.test").update(envoyee_le=MAINTENANT)
        url = reverse("cafes:invitations_progression", args=[cafe.pk])

        barre = client_salarie.get(url, headers={"HX-Request": "true"})
        assertContains(barre, 'aria-valuenow="1"')
        assertContains(barre, 'aria-valuemax="3"')
        assertContains(barre, "1 sur 3 envoyées")
        assertContains(barre, f'hx-get="{url}"')
        Invitation.objects.update(envoyee_le=MAINTENANT)
        assert client_salarie.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
        # Counts only, but of the staff's work: not for read-only members.
        client_salarie.force_login(lecture_user)
        assert client_salarie.get(url).status_code == 403


class TestVue:
    def test_staff_send_from_the_cafe_page(
        self, cafe, client_salarie, django_capture_on_commit_callbacks, mailoutbox
    ):
        inviter(cafe, "a@mds.test", "b@mds.test")
        url = reverse("cafes:invitations_envoyer", args=[cafe.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = client_salarie.post(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("cafes:cafe_detail", args=[cafe.pk])
        assert len(mailoutbox) == 2
        # GET is the confirmation page, which sends nothing.
        assert client_salarie.get(url).status_code == 200
        assert len(mailoutbox) == 2

    def test_read_only_members_cannot_send(self, cafe, client_lecture, mailoutbox):
        inviter(cafe, "a@mds.test")
        response = client_lecture.post(reverse("cafes:invitations_envoyer", args=[cafe.pk]))
        assert response.status_code == 403
        assert not Invitation.objects.exists()


class TestRappels:
    @pytest.fixture
    def envoyees(self, cafe, django_capture_on_commit_callbacks, mailoutbox):
        inviter(cafe, "oui@mds.test", "non@mds.test", "peut@mds.test", "muet@mds.test")
        inviter(cafe, "parti@mds.test")
        envoyer(cafe, django_capture_on_commit_callbacks)
        for email, reponse in [
            ("oui@mds.test", Reponse.OUI),
            ("non@mds.test", Reponse.NON),
            ("peut@mds.test", Reponse.PEUT_ETRE),
        ]:
            Invitation.objects.filter(contact__email=email).update(reponse=reponse)
        Contact.objects.filter(email="parti@mds.test").update(desinscrit_le=MAINTENANT)
        mailoutbox.clear()

    def rappeler(self, capture, jour):
        with capture(execute=True):
            return rappels_envoyer(jour)

    def test_once_two_days_before_never_to_no_nor_opted_out(
        self, cafe, envoyees, django_capture_on_commit_callbacks, mailoutbox
    ):
        assert self.rappeler(django_capture_on_commit_callbacks, datetime.date(2026, 12, 1)) == 0
        assert self.rappeler(django_capture_on_commit_callbacks, datetime.date(2026, 12, 2)) == 3
        assert sorted(m.to[0] for m in mailoutbox) == [
            "muet@mds.test",
            "oui@mds.test",
            "peut@mds.test",
        ]
        message = next(m for m in mailoutbox if m.to == ["muet@mds.test"])
        assert message.subject == "Rappel : Café partenaires de Montanou, vendredi 4 décembre"
        assert "pas encore votre réponse" in message.body
        assert "List-Unsubscribe" in message.extra_headers
        # The hourly task runs again the same day: nothing more.
        assert self.rappeler(django_capture_on_commit_callbacks, datetime.date(2026, 12, 2)) == 0
        assert len(mailoutbox) == 3
        assert Invitation.objects.filter(rappel_envoye_le=MAINTENANT).count() == 3

    def test_days_follow_the_series(
        self, cafe, envoyees, django_capture_on_commit_callbacks, mailoutbox
    ):
        cafe.serie.rappel_jours = 5
        cafe.serie.save()
        assert self.rappeler(django_capture_on_commit_callbacks, datetime.date(2026, 12, 2)) == 0
        assert self.rappeler(django_capture_on_commit_callbacks, datetime.date(2026, 11, 29)) == 3
        cafe.serie.rappel_jours = 0
        cafe.serie.save()
        Invitation.objects.update(rappel_envoye_le=None)
        assert self.rappeler(django_capture_on_commit_callbacks, datetime.date(2026, 12, 4)) == 0

    def test_the_hourly_task_waits_for_the_morning(
        self, cafe, envoyees, django_capture_on_commit_callbacks, mailoutbox
    ):
        nuit = datetime.datetime(2026, 12, 2, 1, 30, tzinfo=PARIS)
        matin = datetime.datetime(2026, 12, 2, 8, 5, tzinfo=PARIS)
        with time_machine.travel(nuit, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                envoyer_rappels.delay()
        assert mailoutbox == []
        with time_machine.travel(matin, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                envoyer_rappels.delay()
                envoyer_rappels.delay()
        assert len(mailoutbox) == 3

    def test_no_reminder_for_a_cancelled_cafe(
        self, cafe, envoyees, django_capture_on_commit_callbacks, mailoutbox
    ):
        Cafe.objects.filter(pk=cafe.pk).update(statut=StatutCafe.ANNULE)
        assert self.rappeler(django_capture_on_commit_callbacks, datetime.date(2026, 12, 2)) == 0
        assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_reminder_runs_at_the_same_time_remind_each_invitation_once(cafe, mailoutbox):
    """The hourly task overlapping a slow run, or two workers: the lock on the café makes the
    second run find every invitation marked by the first."""
    adresses = [f"c{n}@mds.test" for n in range(12)]
    inviter(cafe, *adresses)
    invitations_preparer(cafe=cafe)
    Invitation.objects.update(envoyee_le=MAINTENANT)
    Cafe.objects.filter(pk=cafe.pk).update(statut=StatutCafe.INVITATIONS_ENVOYEES)

    def rappeler():
        with scopes_disabled():  # as the periodic task opens it
            return rappels_envoyer(datetime.date(2026, 12, 2))

    assert sorted(en_meme_temps(rappeler, rappeler, rappeler)) == [0, 0, 12]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(adresses)
    assert Courriel.objects.count() == 12
    assert not Invitation.objects.filter(rappel_envoye_le__isnull=True).exists()


class TestModificationEtAnnulation:
    @pytest.fixture
    def envoyees(self, cafe, django_capture_on_commit_callbacks, mailoutbox):
        inviter(cafe, "oui@mds.test", "non@mds.test", "parti@mds.test")
        envoyer(cafe, django_capture_on_commit_callbacks)
        Invitation.objects.filter(contact__email="non@mds.test").update(reponse=Reponse.NON)
        Contact.objects.filter(email="parti@mds.test").update(desinscrit_le=MAINTENANT)
        # Invited, not yet sent: the change reaches them with the invitation itself.
        inviter(cafe, "tard@mds.test")
        invitations_preparer(cafe=cafe)
        mailoutbox.clear()

    def test_change_sends_an_update_replacing_the_event(
        self, cafe, envoyees, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            cafe_modifier(
                cafe=cafe,
                par=None,
                heure_debut=datetime.time(9, 30),
                adresse="2 place du Marché, 47000 Agen",
            )
        assert cafe.sequence == 1
        cafe.refresh_from_db()
        assert cafe.sequence == 1
        assert sorted(m.to[0] for m in mailoutbox) == ["non@mds.test", "oui@mds.test"]
        message = mailoutbox[0]
        assert message.subject == "Changement : Café partenaires de Montanou, vendredi 4 décembre"
        assert "9\u00a0h\u00a030" in message.body and "2 place du Marché" in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        methode, _cal, vevent = calendrier(message)
        assert methode == "PUBLISH"
        assert vevent["UID"] == f"{cafe.uid}@maillage"
        assert vevent["SEQUENCE"] == 1
        assert vevent["LOCATION"] == "2 place du Marché, 47000 Agen"
        assert vevent.decoded("DTSTART").time() == datetime.time(9, 30)

    def test_each_change_raises_the_sequence(
        self, cafe, envoyees, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            cafe_modifier(cafe=cafe, par=None, adresse="Mairie")
            cafe_modifier(cafe=cafe, par=None, adresse="Salle des fêtes")
            # Nothing practical changes: nothing is sent.
            assert cafe_modifier(cafe=cafe, par=None, adresse="Salle des fêtes", capacite=20) == []
        sequences = sorted(calendrier(m)[2]["SEQUENCE"] for m in mailoutbox)
        assert sequences == [1, 1, 2, 2]

    def test_cancellation(self, cafe, envoyees, django_capture_on_commit_callbacks, mailoutbox):
        with django_capture_on_commit_callbacks(execute=True):
            cafe_annuler(cafe=cafe, par=None)
        cafe.refresh_from_db()
        assert (cafe.statut, cafe.sequence) == (StatutCafe.ANNULE, 1)
        assert sorted(m.to[0] for m in mailoutbox) == ["non@mds.test", "oui@mds.test"]
        message = mailoutbox[0]
        assert message.subject == "Annulé : Café partenaires de Montanou du vendredi 4 décembre"
        assert "est annulé" in message.body
        methode, cal, vevent = calendrier(message)
        assert methode == "CANCEL" and cal["METHOD"] == "CANCEL"
        assert vevent["STATUS"] == "CANCELLED"
        assert (vevent["UID"], vevent["SEQUENCE"]) == (f"{cafe.uid}@maillage", 1)

        # Twice sends nothing more, and the invitation not yet sent never leaves.
        with django_capture_on_commit_callbacks(execute=True):
            assert cafe_annuler(cafe=cafe, par=None) == []
            assert invitations_expedier(cafe_id=cafe.pk) == 0
        assert len(mailoutbox) == 2
        # Changing a cancelled café tells no one; its status is not changed that way.
        with django_capture_on_commit_callbacks(execute=True):
            assert cafe_modifier(cafe=cafe, par=None, adresse="Mairie") == []
        assert len(mailoutbox) == 2
        with pytest.raises(ValidationError):
            cafe_modifier(cafe=cafe, par=None, statut=StatutCafe.PREVU)


class TestSurPlace:
    """Walk-ins added at check-in are attendance, not invitations."""

    def test_a_walk_in_is_counted_apart_and_never_emailed(
        self, cafe, django_capture_on_commit_callbacks, mailoutbox
    ):
        inviter(cafe, "a@mds.test", "b@mds.test")
        envoyer(cafe, django_capture_on_commit_callbacks)
        assert len(mailoutbox) == 2
        # Checking in before the café's day (a rehearsal of the screen) leaves it planned.
        regie = cafe.serie.partenaires.get(nom__startswith="R")
        walk_in, _cree = sur_place_ajouter(
            cafe=cafe, prenom="Nadia", nom="Benali", partenaire=regie, email="nadia@regie.test"
        )
        totaux = cafe.invitations.totaux()
        assert (totaux["total"], totaux["envoyees"], totaux["en_attente"]) == (2, 2, 0)
        assert (totaux["sans_reponse"], totaux["sur_place"]) == (2, 1)
        assert list(cafe.invitations.a_envoyer()) == []

        assert envoyer(cafe, django_capture_on_commit_callbacks) == 0
        assert len(mailoutbox) == 2
        walk_in.refresh_from_db()
        assert walk_in.envoyee_le is None

        requete = RequestFactory().get("/")
        page = render_to_string(
            "cafes/_invitations.html",
            {
                "cafe": cafe,
                "csrf_token": "x",
                "membre_courant": SimpleNamespace(peut_modifier=True),
                **invitations_contexte(requete, cafe),
            },
            request=requete,
        )
        assert "2 sur 2 envoyées" in page
        assert "1 personne ajoutée sur place" in page

    def test_someone_checked_in_is_not_emailed_the_invitation(
        self, cafe, django_capture_on_commit_callbacks, mailoutbox
    ):
        (contact,) = inviter(cafe, "a@mds.test")
        invitations_preparer(cafe=cafe)
        Invitation.objects.filter(contact=contact).update(present=True)
        assert envoyer(cafe, django_capture_on_commit_callbacks) == 0
        assert mailoutbox == []


class TestReponsesVuesParLeCentre:
    def test_staff_read_comments_head_counts_and_people_expected(self, cafe, client_salarie):
        a, b, c = inviter(cafe, "a@mds.test", "b@mds.test", "c@mds.test", prenom="Awa")
        invitations_preparer(cafe=cafe)
        Invitation.objects.filter(contact=a).update(
            reponse=Reponse.OUI, nb_personnes=3, commentaire="Avec <b>deux</b> bénévoles."
        )
        Invitation.objects.filter(contact=b).update(reponse=Reponse.OUI, nb_personnes=2)
        Invitation.objects.filter(contact=c).update(
            reponse=Reponse.NON, commentaire="En congés ce jour-là."
        )
        response = client_salarie.get(reverse("cafes:cafe_detail", args=[cafe.pk]))
        page = response.content.decode()
        assert "5 personnes attendues" in page
        assert "(3 personnes)" in page
        assert "Avec &lt;b&gt;deux&lt;/b&gt; bénévoles." in page
        assert "En congés ce jour-là." in page
        assert f"{a}\u00a0: Je viens" in page


class TestQuiEcrit:
    """Partners see the centre as the sender and can answer it."""

    def test_the_centre_signs_and_receives_the_answers(
        self, cafe, django_capture_on_commit_callbacks, mailoutbox, settings
    ):
        settings.DEFAULT_FROM_EMAIL = "Maillage <ne-pas-repondre@maillage.test>"
        cafe.centre.email = "accueil@montanou.test"
        cafe.centre.save()
        inviter(cafe, "awa@mds.test")
        envoyer(cafe, django_capture_on_commit_callbacks)
        (message,) = mailoutbox
        assert message.from_email == f"{cafe.centre.nom} <ne-pas-repondre@maillage.test>"
        assert message.reply_to == ["accueil@montanou.test"]

    def test_without_a_centre_address_answers_go_to_the_staff_member_acting(
        self, cafe, django_capture_on_commit_callbacks, mailoutbox, salarie_user
    ):
        inviter(cafe, "awa@mds.test")
        envoyer(cafe, django_capture_on_commit_callbacks)
        assert mailoutbox[0].reply_to == []  # sent by a task: nobody acting
        with django_capture_on_commit_callbacks(execute=True):
            cafe_annuler(cafe=cafe, par=salarie_user)
        annulation = mailoutbox[-1]
        assert annulation.subject.startswith("Annulé")
        assert annulation.reply_to == [salarie_user.email]
        assert annulation.from_email.startswith(f"{cafe.centre.nom} <")


class TestConfirmationDesInvitations:
    """The mass sending asks first: how many, the email as it reads, a personal message."""

    def test_get_counts_and_shows_the_email_and_sends_nothing(
        self, cafe, client_salarie, mailoutbox
    ):
        inviter(cafe, "a@mds.test", "b@mds.test")
        url = reverse("cafes:invitations_envoyer", args=[cafe.pk])
        page = client_salarie.get(url).content.decode()
        assert "2 personnes reçoivent le courriel ci-dessous" in page
        assert "Café partenaires de Montanou, vendredi 4 décembre" in page  # the subject
        assert "Envoyer les 2 invitations" in page
        assert not Invitation.objects.exists()
        assert mailoutbox == []
        detail = client_salarie.get(reverse("cafes:cafe_detail", args=[cafe.pk])).content.decode()
        assert f'href="{url}"' in detail

    def test_the_personal_message_is_previewed_then_sent_escaped(
        self, cafe, client_salarie, django_capture_on_commit_callbacks, mailoutbox
    ):
        inviter(cafe, "a@mds.test")
        url = reverse("cafes:invitations_envoyer", args=[cafe.pk])
        mot = "Venez nombreux <b>&</b> parlez-en !\nÀ bientôt."
        apercu = client_salarie.post(url, {"message": mot, "action": "apercu"})
        assert "Venez nombreux &lt;b&gt;&amp;&lt;/b&gt; parlez-en" in apercu.content.decode()
        assert not Invitation.objects.exists()

        with django_capture_on_commit_callbacks(execute=True):
            client_salarie.post(url, {"message": mot, "action": "envoyer"})
        (message,) = mailoutbox
        assert "Venez nombreux <b>&</b> parlez-en !\nÀ bientôt." in message.body
        assert "Venez nombreux &lt;b&gt;&amp;&lt;/b&gt; parlez-en !<br>À bientôt." in html(message)
        cafe.refresh_from_db()
        assert cafe.message_invitation == mot
