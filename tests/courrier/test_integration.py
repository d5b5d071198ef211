"""The outbox end to end: a real Celery worker, Redis, PostgreSQL and an SMTP server."""

from collections import Counter
from contextlib import nullcontext

import pytest
from django.db import transaction
from django.urls import reverse
from pytest_django.asserts import assertContains

from courrier.enums import StatutCourriel
from courrier.models import AdresseEnEchec, Courriel
from courrier.services import courriel_preparer, courriels_groupes
from courrier.tasks import envoyer_courriel
from tests.attente import attendre

pytestmark = pytest.mark.integration


def preparer(gabarit, centre, destinataires, *, groupes=False):
    """Prepares one email per address, one task each, or grouped (``courriels_groupes``)."""
    with transaction.atomic(), courriels_groupes() if groupes else nullcontext():
        return [
            courriel_preparer(
                destinataire=destinataire,
                gabarit=gabarit,
                contexte={"nom": "Lucie", "lien": "https://maillage.example.org/cafes/1/"},
                centre=centre,
            )
            for destinataire in destinataires
        ]


def statuts(courriels):
    return Counter(
        Courriel.objects.filter(pk__in=[c.pk for c in courriels]).values_list("statut", flat=True)
    )


def test_fifty_emails_are_delivered_exactly_once(
    celery_worker, smtp_server, centre, gabarits_essai
):
    destinataires = [f"partenaire{n}@exemple.fr" for n in range(50)]
    courriels = preparer(gabarits_essai, centre, destinataires, groupes=True)
    # A redelivered task (worker lost, sweeper) must not send a second copy.
    for courriel in courriels:
        envoyer_courriel.delay(courriel.pk)

    attendre(
        lambda: statuts(courriels) == {StatutCourriel.ENVOYE: 50},
        message=f"50 sent emails (worker log:\n{celery_worker.log()[-2000:]})",
    )
    # Every redelivered task has run: a duplicate would be there by now.
    celery_worker.attendre_inactif()

    recus = smtp_server.messages
    assert sorted(r for m in recus for r in m.rcpt_tos) == sorted(destinataires)
    assert Counter(m.message["To"] for m in recus) == Counter(destinataires)
    message_ids = dict(Courriel.objects.values_list("destinataire", "message_id"))
    assert {m.message["To"]: m.message["Message-ID"] for m in recus} == message_ids
    assert all(m.message.get_body(("html",)) is not None for m in recus)


def test_temporary_refusals_are_retried_then_delivered(
    celery_worker, smtp_server, centre, gabarits_essai
):
    smtp_server.respond_with("421 4.3.0 Try again later", times=3)
    destinataires = ["lucie@exemple.fr", "paul@exemple.fr", "ines@exemple.fr"]

    # One batch: each refused email leaves it for its own retries.
    courriels = preparer(gabarits_essai, centre, destinataires, groupes=True)

    attendre(
        lambda: statuts(courriels) == {StatutCourriel.ENVOYE: 3},
        message="3 emails delivered after the refusals",
    )
    assert len(smtp_server.refusals) == 3
    assert sorted(m.message["To"] for m in smtp_server.messages) == sorted(destinataires)
    lignes = Courriel.objects.filter(pk__in=[c.pk for c in courriels])
    assert sum(c.tentatives for c in lignes) == 3 + 3
    assert not AdresseEnEchec.objects.exists()


def test_permanent_refusals_fail_and_show_under_the_failed_filter(
    celery_worker, smtp_server, centre, gabarits_essai, client_salarie
):
    smtp_server.respond_with("550 5.1.1 No such user")
    destinataires = ["disparue@exemple.fr", "inconnu@exemple.fr"]

    courriels = preparer(gabarits_essai, centre, destinataires)

    attendre(lambda: statuts(courriels) == {StatutCourriel.ECHEC: 2}, message="2 failed emails")
    assert smtp_server.messages == []
    assert sorted(AdresseEnEchec.objects.values_list("email", flat=True)) == sorted(destinataires)

    response = client_salarie.get(reverse("courrier:liste"), {"statut": "echec"})
    assert sorted(c.pk for c in response.context["courriels"]) == sorted(c.pk for c in courriels)
    for destinataire in destinataires:
        assertContains(response, destinataire)
    assertContains(response, "550 5.1.1 No such user", count=2)
