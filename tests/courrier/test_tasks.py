import datetime
import smtplib

import pytest
import time_machine
from celery.exceptions import Retry
from django.conf import settings

from courrier import tasks
from courrier.enums import StatutCourriel
from courrier.models import AdresseEnEchec
from tests.courrier.factories import CourrielFactory
from tests.courrier.outils import MAINTENANT, pannes


@pytest.fixture
def base_30s(settings):
    settings.COURRIER_RETRY_BASE_SECONDS = 30


def test_every_countdown_stays_below_the_visibility_timeout():
    # Beyond it, Redis would deliver a waiting retry a second time.
    assert tasks.MAX_COUNTDOWN < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def test_backoff_doubles_up_to_the_cap(base_30s):
    countdowns = [tasks.retry_countdown(retries) for retries in range(tasks.MAX_RETRIES)]

    assert countdowns == [30, 60, 120, 240, 480, 960, 1920, tasks.MAX_COUNTDOWN]
    assert tasks.retry_countdown(tasks.MAX_RETRIES + 5) == tasks.MAX_COUNTDOWN


@pytest.mark.django_db
@time_machine.travel(MAINTENANT, tick=False)
def test_temporary_failures_are_retried_with_backoff_then_sent(base_30s, mailoutbox):
    courriel = CourrielFactory()

    # Each delivery of the task as the worker would run it, ``retries`` being Celery's count.
    for retries, countdown in enumerate([30, 60, 120]):
        with pannes(smtplib.SMTPServerDisconnected("closed")), pytest.raises(Retry) as retry:
            tasks.envoyer_courriel.apply(args=[courriel.pk], retries=retries)
        assert retry.value.when == countdown
        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.EN_ATTENTE
        assert courriel.prochain_essai == MAINTENANT + datetime.timedelta(seconds=countdown)
    tasks.envoyer_courriel.apply(args=[courriel.pk], retries=3)

    courriel.refresh_from_db()
    assert courriel.statut == StatutCourriel.ENVOYE
    assert courriel.tentatives == 4
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_failure_on_the_last_retry_marks_the_email_failed(mailoutbox):
    courriel = CourrielFactory(tentatives=tasks.MAX_RETRIES)
    refus = smtplib.SMTPRecipientsRefused({courriel.destinataire: (421, b"4.3.0 Try again later")})

    with pannes(refus):
        tasks.envoyer_courriel.apply(args=[courriel.pk], retries=tasks.MAX_RETRIES)

    courriel.refresh_from_db()
    assert courriel.statut == StatutCourriel.ECHEC
    assert courriel.tentatives == tasks.MAX_RETRIES + 1
    assert courriel.derniere_erreur == "421 4.3.0 Try again later"
    # Not the address's fault: it stays usable.
    assert not AdresseEnEchec.objects.exists()
    assert mailoutbox == []
