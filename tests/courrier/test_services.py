import datetime
import smtplib

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from commun.courriels import courriel_rendre
from courrier.enums import StatutCourriel
from courrier.models import AdresseEnEchec, Courriel
from courrier.services import (
    EnvoiReporte,
    courriel_expedier,
    courriel_preparer,
    courriel_relancer,
)
from courrier.tasks import relancer_courriels_bloques
from tests.courrier.factories import AdresseEnEchecFactory, CourrielFactory
from tests.courrier.outils import MAINTENANT, pannes

pytestmark = pytest.mark.django_db

CONTEXTE = {"nom": "Café & <Cie>", "lien": "https://maillage.example.org/cafes/12/"}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://maillage.example.org"


def preparer(gabarit, **kwargs):
    return courriel_preparer(
        **{"destinataire": "marie@exemple.fr", "gabarit": gabarit, "contexte": CONTEXTE, **kwargs}
    )


class TestCourrielPreparer:
    def test_queues_one_row_and_sends_only_after_commit(
        self, centre, gabarits_essai, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            courriel = preparer(gabarits_essai, centre=centre)

        assert courriel.statut == StatutCourriel.EN_ATTENTE
        assert courriel.centre == centre
        assert len(callbacks) == 1
        assert mailoutbox == []

        callbacks[0]()
        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.ENVOYE
        assert [m.to for m in mailoutbox] == [["marie@exemple.fr"]]

    def test_rolled_back_with_the_callers_transaction(
        self, gabarits_essai, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                preparer(gabarits_essai)
                raise RuntimeError("the caller's change failed")

        assert callbacks == []
        assert not Courriel.objects.exists()

    def test_renders_subject_on_one_line_and_bodies_in_the_layouts(self, centre, gabarits_essai):
        courriel = preparer(gabarits_essai, centre=centre)

        assert courriel.sujet == "Avis pour Café & <Cie> (rappel)"
        # Plain text is not HTML-escaped; the HTML part is.
        assert "Bonjour Café & <Cie>," in courriel.corps_texte
        assert f"par ce centre\u00a0: {centre.nom}." in courriel.corps_texte
        assert "https://maillage.example.org" in courriel.corps_texte
        assert "Bonjour Café &amp; &lt;Cie&gt;," in courriel.corps_html
        assert "<title>Avis pour Café &amp; &lt;Cie&gt; (rappel)</title>" in courriel.corps_html
        assert f"par ce centre\u00a0: {centre.nom}." in courriel.corps_html
        assert 'href="https://maillage.example.org/cafes/12/"' in courriel.corps_html

    def test_the_subject_keeps_no_break_spaces(self, gabarits_essai):
        """French puts one before ":" (and the subject is collapsed to one line)."""
        rendu = courriel_rendre(gabarits_essai, {**CONTEXTE, "nom": "Rappel\u00a0: Café"})
        assert rendu.sujet == "Avis pour Rappel\u00a0: Café (rappel)"
        assert not Courriel.objects.exists()

    def test_system_email_names_maillage_in_the_footer(self, gabarits_essai):
        courriel = preparer(gabarits_essai)

        assert courriel.centre is None
        assert "Ce message vous est envoyé par Maillage" in courriel.corps_texte
        assert "Ce message vous est envoyé par Maillage" in courriel.corps_html

    def test_keeps_the_object_it_is_about(self, centre, gabarits_essai):
        courriel = preparer(gabarits_essai, centre=centre, objet=centre)

        courriel = Courriel.objects.get(pk=courriel.pk)
        assert courriel.objet == centre
        assert courriel.object_id == centre.pk

    def test_sent_message_has_one_recipient_alternatives_attachments_and_headers(
        self, centre, gabarits_essai, django_capture_on_commit_callbacks, mailoutbox
    ):
        pdf = b"%PDF-1.7 convention"
        with django_capture_on_commit_callbacks(execute=True):
            courriel = preparer(
                gabarits_essai,
                centre=centre,
                en_tetes={
                    "List-Unsubscribe": "<https://maillage.example.org/desinscription/abc/>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
                pieces_jointes=[
                    ("convention.pdf", pdf, "application/pdf"),
                    ("cafe.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),
                ],
            )

        courriel.refresh_from_db()
        (envoye,) = mailoutbox
        assert envoye.to == ["marie@exemple.fr"]
        assert envoye.cc == envoye.bcc == []
        assert envoye.subject == courriel.sujet
        assert envoye.body == courriel.corps_texte
        assert [tuple(a) for a in envoye.alternatives] == [(courriel.corps_html, "text/html")]
        assert [(a[0], a[2]) for a in envoye.attachments] == [
            ("convention.pdf", "application/pdf"),
            ("cafe.ics", "text/calendar"),
        ]
        assert envoye.attachments[0][1] == pdf

        brut = envoye.message()
        assert brut["To"] == "marie@exemple.fr"
        assert brut["List-Unsubscribe"] == "<https://maillage.example.org/desinscription/abc/>"
        assert brut["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert brut["Auto-Submitted"] == "auto-generated"
        assert brut["Message-ID"] == courriel.message_id
        assert courriel.message_id.endswith("@maillage.example.org>")

    def test_suppressed_address_is_cancelled_and_not_queued(
        self, gabarits_essai, django_capture_on_commit_callbacks
    ):
        AdresseEnEchecFactory(email="marie@exemple.fr", raison="550 5.1.1 No such user")

        with django_capture_on_commit_callbacks() as callbacks:
            courriel = preparer(gabarits_essai, destinataire="Marie@Exemple.fr")

        assert courriel.statut == StatutCourriel.ANNULE
        assert "liste des adresses en échec" in courriel.derniere_erreur
        assert "550 5.1.1 No such user" in courriel.derniere_erreur
        assert callbacks == []

    def test_invalid_address_is_refused_before_anything_is_written(self, gabarits_essai):
        with pytest.raises(ValidationError):
            preparer(gabarits_essai, destinataire="marie@exemple.fr, paul@exemple.fr")
        assert not Courriel.objects.exists()

    @pytest.mark.parametrize(
        "en_tetes",
        [{"To": "tout-le-monde@exemple.fr"}, {"Bcc": "x@exemple.fr"}, {"X-Note": "a\r\nBcc: x"}],
    )
    def test_reserved_or_multiline_header_is_refused(self, gabarits_essai, en_tetes):
        with pytest.raises(ValueError):
            preparer(gabarits_essai, en_tetes=en_tetes)
        assert not Courriel.objects.exists()


class TestCourrielExpedier:
    @time_machine.travel(MAINTENANT, tick=False)
    def test_running_twice_sends_once(self, mailoutbox):
        courriel = CourrielFactory()

        courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)
        courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)

        courriel.refresh_from_db()
        assert len(mailoutbox) == 1
        assert courriel.statut == StatutCourriel.ENVOYE
        assert courriel.tentatives == 1
        assert courriel.envoye_le == MAINTENANT
        assert mailoutbox[0].extra_headers["Message-ID"] == courriel.message_id

    @pytest.mark.parametrize("trait", ["envoye", "en_cours", "echec", "annule"])
    def test_leaves_rows_that_are_not_queued_alone(self, mailoutbox, trait):
        courriel = CourrielFactory(**{trait: True})

        resultat = courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)

        assert resultat.statut == courriel.statut
        assert resultat.tentatives == courriel.tentatives
        assert mailoutbox == []

    def test_deleted_row_is_a_no_op(self, mailoutbox):
        assert courriel_expedier(courriel_id=123456, nouvel_essai_dans=30) is None
        assert mailoutbox == []

    @pytest.mark.parametrize(
        ("erreur", "texte"),
        [
            (
                smtplib.SMTPRecipientsRefused(
                    {"marie@exemple.fr": (421, b"4.3.0 Try again later")}
                ),
                "421 4.3.0 Try again later",
            ),
            (smtplib.SMTPDataError(451, b"4.3.0 Local error"), "451 4.3.0 Local error"),
            (smtplib.SMTPConnectError(421, b"Too busy"), "421 Too busy"),
            (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "Connection"),
            (ConnectionRefusedError(111, "Connection refused"), "Connection refused"),
            (TimeoutError("timed out"), "TimeoutError: timed out"),
        ],
        ids=["rcpt-421", "data-451", "connect-421", "disconnected", "refused", "timeout"],
    )
    @time_machine.travel(MAINTENANT, tick=False)
    def test_temporary_failure_queues_again_and_asks_for_a_retry(self, mailoutbox, erreur, texte):
        courriel = CourrielFactory(destinataire="marie@exemple.fr")

        with pannes(erreur), pytest.raises(EnvoiReporte):
            courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=60)

        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.EN_ATTENTE
        assert courriel.tentatives == 1
        assert courriel.prochain_essai == MAINTENANT + datetime.timedelta(seconds=60)
        assert texte in courriel.derniere_erreur
        assert not AdresseEnEchec.objects.exists()
        assert mailoutbox == []

    def test_retry_reuses_the_message_id_and_clears_the_error(self, mailoutbox):
        courriel = CourrielFactory()

        with pannes(smtplib.SMTPServerDisconnected("closed")):
            with pytest.raises(EnvoiReporte):
                courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)
            courriel.refresh_from_db()
            premier_id = courriel.message_id
            courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=60)

        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.ENVOYE
        assert courriel.tentatives == 2
        assert courriel.derniere_erreur == ""
        assert courriel.prochain_essai is None
        assert mailoutbox[0].extra_headers["Message-ID"] == premier_id == courriel.message_id

    def test_temporary_failure_without_retry_left_fails(self):
        courriel = CourrielFactory()

        with pannes(smtplib.SMTPServerDisconnected("closed")):
            courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=None)

        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.ECHEC
        assert "SMTPServerDisconnected" in courriel.derniere_erreur
        assert not AdresseEnEchec.objects.exists()

    def test_recipient_refused_for_good_fails_and_suppresses_the_address(self, mailoutbox):
        courriel = CourrielFactory(destinataire="Paul@Exemple.fr")
        refus = smtplib.SMTPRecipientsRefused({"Paul@Exemple.fr": (550, b"5.1.1 No such user")})

        with pannes(refus):
            courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)

        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.ECHEC
        assert courriel.derniere_erreur == "550 5.1.1 No such user"
        adresse = AdresseEnEchec.objects.get()
        assert (adresse.email, adresse.raison) == ("paul@exemple.fr", "550 5.1.1 No such user")
        assert mailoutbox == []

    @pytest.mark.parametrize(
        "erreur",
        [
            smtplib.SMTPSenderRefused(553, b"5.7.1 Sender not allowed", "maillage@exemple.fr"),
            smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam"),
            smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"),
        ],
        ids=["sender", "content", "auth"],
    )
    def test_permanent_failure_not_about_the_address_fails_without_suppressing(self, erreur):
        courriel = CourrielFactory()

        with pannes(erreur):
            courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)

        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.ECHEC
        assert courriel.derniere_erreur.startswith(str(erreur.smtp_code))
        assert not AdresseEnEchec.objects.exists()

    def test_unexpected_error_fails_and_propagates(self):
        courriel = CourrielFactory()

        with pannes(UnicodeEncodeError("ascii", "é", 0, 1, "bug")), pytest.raises(UnicodeError):
            courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)

        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.ECHEC
        assert courriel.derniere_erreur.startswith("UnicodeEncodeError")


class TestCourrielRelancer:
    def test_failed_email_is_queued_and_sent_again(
        self, django_capture_on_commit_callbacks, mailoutbox
    ):
        courriel = CourrielFactory(echec=True, derniere_erreur="421 Too many retries")

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            courriel = courriel_relancer(courriel=courriel)

        assert len(callbacks) == 1
        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.ENVOYE
        assert courriel.tentatives == 2
        assert [m.to for m in mailoutbox] == [[courriel.destinataire]]

    def test_refused_while_the_address_is_suppressed(self, django_capture_on_commit_callbacks):
        courriel = CourrielFactory(echec=True)
        AdresseEnEchecFactory(email=courriel.destinataire.upper())

        with django_capture_on_commit_callbacks() as callbacks:
            with pytest.raises(ValidationError, match="liste des adresses en échec"):
                courriel_relancer(courriel=courriel)

        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.ECHEC
        assert callbacks == []

    def test_cancelled_email_can_go_once_the_address_is_removed(
        self, django_capture_on_commit_callbacks
    ):
        courriel = CourrielFactory(annule=True)
        AdresseEnEchecFactory(email=courriel.destinataire).delete()

        with django_capture_on_commit_callbacks() as callbacks:
            courriel = courriel_relancer(courriel=courriel)

        assert courriel.statut == StatutCourriel.EN_ATTENTE
        assert courriel.derniere_erreur == ""
        assert len(callbacks) == 1

    @pytest.mark.parametrize("trait", ["envoye", "en_cours", "differe"])
    def test_refused_unless_failed_or_cancelled(self, trait):
        courriel = CourrielFactory(**{trait: True})

        with pytest.raises(
            ValidationError, match="Seul un courriel en échec, annulé ou qui attend la reprise"
        ):
            courriel_relancer(courriel=courriel)

        assert Courriel.objects.get(pk=courriel.pk).statut == courriel.statut


class TestRelancerCourrielsBloques:
    def test_queues_stuck_rows_again_and_leaves_the_others(
        self, django_capture_on_commit_callbacks, mailoutbox
    ):
        with time_machine.travel(MAINTENANT - datetime.timedelta(minutes=20), tick=False):
            jamais_parti = CourrielFactory()
            envoi_interrompu = CourrielFactory(en_cours=True)
            retry_perdu = CourrielFactory(
                differe=True, prochain_essai=MAINTENANT - datetime.timedelta(minutes=16)
            )
            CourrielFactory(echec=True)
            CourrielFactory(envoye=True)
            CourrielFactory(annule=True)
        with time_machine.travel(MAINTENANT - datetime.timedelta(minutes=5), tick=False):
            frais = CourrielFactory()
            envoi_en_cours = CourrielFactory(en_cours=True)
            retry_prevu = CourrielFactory(
                differe=True, prochain_essai=MAINTENANT - datetime.timedelta(minutes=1)
            )

        with time_machine.travel(MAINTENANT, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                nombre = relancer_courriels_bloques()

        assert nombre == 3
        bloques = [jamais_parti, envoi_interrompu, retry_perdu]
        assert sorted(m.to[0] for m in mailoutbox) == sorted(c.destinataire for c in bloques)
        for courriel in bloques:
            courriel.refresh_from_db()
            assert courriel.statut == StatutCourriel.ENVOYE
        for courriel in (frais, envoi_en_cours, retry_prevu):
            assert Courriel.objects.get(pk=courriel.pk).statut == courriel.statut

    def test_a_row_queued_again_waits_for_its_task_before_the_next_sweep(
        self, django_capture_on_commit_callbacks
    ):
        with time_machine.travel(MAINTENANT - datetime.timedelta(minutes=20), tick=False):
            CourrielFactory()

        with time_machine.travel(MAINTENANT, tick=False):
            with django_capture_on_commit_callbacks() as premier:
                relancer_courriels_bloques()
        # The task was queued but has not run yet when the next sweep comes, 5 minutes later.
        with time_machine.travel(MAINTENANT + datetime.timedelta(minutes=5), tick=False):
            with django_capture_on_commit_callbacks() as second:
                relancer_courriels_bloques()

        assert (len(premier), len(second)) == (1, 0)


def test_counts_per_status_include_zeros(centre):
    CourrielFactory.create_batch(2, centre=centre, echec=True)
    CourrielFactory(centre=centre, envoye=True)
    CourrielFactory(echec=True)  # another centre

    comptes = Courriel.objects.for_centre(centre).comptes_par_statut()

    assert comptes == {"en_attente": 0, "envoi": 0, "envoye": 1, "echec": 2, "annule": 0}


def test_a_broker_down_at_commit_is_logged_not_raised(
    centre, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """The caller's change is committed: the row stays queued for the sweeper."""
    from courrier import tasks
    from courrier.services import courriel_preparer

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.envoyer_courriels, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        courriel = courriel_preparer(
            destinataire="a@b.fr", gabarit="reseau/emails/invitation", contexte={
                "role": "Salarié", "invite_par": "X", "nouveau": False, "lien": "https://x/"
            }, centre=centre,
        )  # fmt: skip
    courriel.refresh_from_db()
    assert courriel.statut == "en_attente"
    assert "Redis is down" in caplog.text
