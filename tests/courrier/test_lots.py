"""Emails prepared and sent in batches: ``courriels_groupes`` and ``courriels_expedier``."""

import smtplib

import pytest
from django.db import transaction

from courrier import services, tasks
from courrier.enums import StatutCourriel
from courrier.models import AdresseEnEchec, Courriel, PieceJointe
from courrier.services import courriel_preparer, courriels_expedier, courriels_groupes
from tests.courrier.factories import AdresseEnEchecFactory, CourrielFactory
from tests.courrier.outils import pannes

pytestmark = pytest.mark.django_db

CONTEXTE = {"nom": "Lucie", "lien": "https://maillage.example.org/cafes/12/"}


def preparer(gabarit, destinataire, **kwargs):
    return courriel_preparer(
        destinataire=destinataire, gabarit=gabarit, contexte=CONTEXTE, **kwargs
    )


@pytest.fixture
def taches(monkeypatch):
    """The batches ``envoyer_courriels`` was asked to send, instead of sending them."""
    lots = []
    monkeypatch.setattr(tasks.envoyer_courriels, "delay", lots.append)
    return lots


class TestCourrielsGroupes:
    def test_rows_are_written_together_when_the_block_ends(
        self, centre, gabarits_essai, django_assert_max_num_queries
    ):
        piece = ("invitation.ics", b"BEGIN:VCALENDAR", "text/calendar")
        with transaction.atomic():
            # Four queries for twenty emails: refused addresses, emails, attachments, and
            # the savepoint pair of the outer atomic block is not there.
            with django_assert_max_num_queries(4), courriels_groupes():
                courriels = [
                    preparer(
                        gabarits_essai, f"c{n}@exemple.fr", centre=centre, pieces_jointes=[piece]
                    )
                    for n in range(20)
                ]
                assert all(courriel.pk is None for courriel in courriels)

        assert all(courriel.pk for courriel in courriels)
        assert Courriel.objects.filter(statut=StatutCourriel.EN_ATTENTE).count() == 20
        assert PieceJointe.objects.filter(nom="invitation.ics").count() == 20
        assert set(Courriel.objects.values_list("sujet", flat=True)) == {courriels[0].sujet}

    def test_one_task_per_batch_after_commit(
        self, centre, gabarits_essai, django_capture_on_commit_callbacks, taches, monkeypatch
    ):
        monkeypatch.setattr(services, "TAILLE_LOT_ENVOI", 4)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            with courriels_groupes():
                courriels = [
                    preparer(gabarits_essai, f"c{n}@exemple.fr", centre=centre) for n in range(10)
                ]
            assert taches == []

        ids = [courriel.pk for courriel in courriels]
        assert taches == [ids[:4], ids[4:8], ids[8:]]

    def test_a_refused_address_is_cancelled_whatever_its_case(
        self, centre, gabarits_essai, django_capture_on_commit_callbacks, taches
    ):
        AdresseEnEchecFactory(email="disparue@exemple.fr", raison="550 5.1.1 No such user")
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            with courriels_groupes():
                refusee = preparer(gabarits_essai, "Disparue@Exemple.fr", centre=centre)
                valide = preparer(gabarits_essai, "lucie@exemple.fr", centre=centre)

        refusee.refresh_from_db()
        assert refusee.statut == StatutCourriel.ANNULE
        assert "550 5.1.1 No such user" in refusee.derniere_erreur
        assert taches == [[valide.pk]]

    def test_an_error_inside_the_block_writes_and_queues_nothing(
        self, centre, gabarits_essai, django_capture_on_commit_callbacks, taches
    ):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
            with transaction.atomic(), courriels_groupes():
                preparer(gabarits_essai, "lucie@exemple.fr", centre=centre)
                raise RuntimeError("the caller failed")

        assert not Courriel.objects.exists()
        assert taches == []

    def test_an_invalid_address_is_refused_at_once_and_the_batch_goes_on(
        self, centre, gabarits_essai
    ):
        with transaction.atomic(), courriels_groupes():
            with pytest.raises(Exception, match="adresse"):
                preparer(gabarits_essai, "pas une adresse", centre=centre)
            preparer(gabarits_essai, "lucie@exemple.fr", centre=centre)

        assert list(Courriel.objects.values_list("destinataire", flat=True)) == ["lucie@exemple.fr"]


class TestCourrielsExpedier:
    def test_one_connection_for_the_batch_and_twice_sends_once(self, smtp_server):
        courriels = CourrielFactory.create_batch(5)
        ids = [courriel.pk for courriel in courriels]

        assert courriels_expedier(courriel_ids=ids, nouvel_essai_dans=30) == []
        assert courriels_expedier(courriel_ids=ids, nouvel_essai_dans=30) == []

        assert len(smtp_server.messages) == 5
        assert len({recu.peer for recu in smtp_server.messages}) == 1
        lignes = Courriel.objects.filter(pk__in=ids)
        assert {(c.statut, c.tentatives) for c in lignes} == {(StatutCourriel.ENVOYE, 1)}
        assert all(c.envoye_le and c.message_id for c in lignes)

    def test_rows_not_queued_are_left_alone(self, smtp_server):
        envoye = CourrielFactory(envoye=True)
        en_cours = CourrielFactory(en_cours=True)
        en_attente = CourrielFactory()

        courriels_expedier(courriel_ids=[envoye.pk, en_cours.pk, en_attente.pk])

        assert [m.rcpt_tos for m in smtp_server.messages] == [[en_attente.destinataire]]
        en_cours.refresh_from_db()
        assert en_cours.statut == StatutCourriel.ENVOI

    def test_a_temporary_failure_leaves_the_batch_the_others_go(self, smtp_server):
        premier, *autres = CourrielFactory.create_batch(3)
        smtp_server.respond_with("421 4.3.0 Try again later", times=1)

        reportes = courriels_expedier(
            courriel_ids=[premier.pk, *(c.pk for c in autres)], nouvel_essai_dans=30
        )

        assert reportes == [premier.pk]
        premier.refresh_from_db()
        assert premier.statut == StatutCourriel.EN_ATTENTE
        assert premier.prochain_essai is not None
        assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == sorted(
            c.destinataire for c in autres
        )

    def test_a_refused_recipient_fails_alone(self, smtp_server):
        disparue, lucie = CourrielFactory.create_batch(2)
        smtp_server.respond_with("550 5.1.1 No such user", times=1)

        assert courriels_expedier(courriel_ids=[disparue.pk, lucie.pk]) == []

        disparue.refresh_from_db()
        lucie.refresh_from_db()
        assert disparue.statut == StatutCourriel.ECHEC
        assert AdresseEnEchec.objects.get().email == disparue.destinataire.lower()
        assert lucie.statut == StatutCourriel.ENVOYE

    def test_a_bug_fails_its_email_the_others_go_then_it_is_raised(self, mailoutbox):
        casse, bon = CourrielFactory.create_batch(2)

        with pannes(UnicodeEncodeError("ascii", "é", 0, 1, "bug")), pytest.raises(UnicodeError):
            courriels_expedier(courriel_ids=[casse.pk, bon.pk], nouvel_essai_dans=30)

        casse.refresh_from_db()
        bon.refresh_from_db()
        assert casse.statut == StatutCourriel.ECHEC
        assert bon.statut == StatutCourriel.ENVOYE
        assert [m.to for m in mailoutbox] == [[bon.destinataire]]


def test_the_batch_task_hands_each_postponed_email_to_its_own_retries(monkeypatch, settings):
    settings.COURRIER_RETRY_BASE_SECONDS = 30
    refuse, envoye = CourrielFactory.create_batch(2)
    relances = []
    monkeypatch.setattr(
        tasks.envoyer_courriel,
        "apply_async",
        lambda args, **options: relances.append((args, options)),
    )

    with pannes(smtplib.SMTPServerDisconnected("closed")):
        tasks.envoyer_courriels.apply(args=[[refuse.pk, envoye.pk]])

    # As if the first delivery of envoyer_courriel had failed: the next one is retry 1.
    assert relances == [((refuse.pk,), {"countdown": 30, "retries": 1})]
    envoye.refresh_from_db()
    assert envoye.statut == StatutCourriel.ENVOYE
