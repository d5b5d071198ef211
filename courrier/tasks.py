"""Celery tasks of the outbox: thin, they take ids and call ``courrier.services``.

Emails leave in batches (``envoyer_courriels``, one SMTP connection per batch). An email that
meets a temporary SMTP failure leaves its batch and is retried alone (``envoyer_courriel``)
after ``COURRIER_RETRY_BASE_SECONDS * 2 ** retries`` seconds (30 s by default, a setting so
that the integration tests can shrink it), capped at ``MAX_COUNTDOWN``, at most
``MAX_RETRIES`` times (about two hours in all); then it is marked failed.

The outbox sends for every centre: its tasks read emails under ``scopes_disabled()``.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django_scopes import scopes_disabled

from courrier.services import (
    EnvoiReporte,
    courriel_expedier,
    courriels_bloques_reprendre,
    courriels_expedier,
)

MAX_RETRIES = 8
# Redis holds a delayed retry unacknowledged until its countdown ends and delivers it again
# after the broker's visibility_timeout: every countdown must stay below it (a test checks).
MAX_COUNTDOWN = int(timedelta(hours=1).total_seconds())


def retry_countdown(retries):
    """Seconds to wait before retry number ``retries + 1``."""
    return min(settings.COURRIER_RETRY_BASE_SECONDS * 2**retries, MAX_COUNTDOWN)


@shared_task
def envoyer_courriels(courriel_ids):
    """Sends a batch; each email that failed for a while is handed to its own retry task, as
    if this had been its first delivery of ``envoyer_courriel``."""
    countdown = retry_countdown(0)
    with scopes_disabled():
        reportes = courriels_expedier(courriel_ids=courriel_ids, nouvel_essai_dans=countdown)
    for courriel_id in reportes:
        envoyer_courriel.apply_async((courriel_id,), countdown=countdown, retries=1)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def envoyer_courriel(self, courriel_id):
    retries = self.request.retries
    countdown = retry_countdown(retries) if retries < self.max_retries else None
    try:
        with scopes_disabled():
            courriel_expedier(courriel_id=courriel_id, nouvel_essai_dans=countdown)
    except EnvoiReporte as exc:
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task
def relancer_courriels_bloques():
    with scopes_disabled():
        return len(courriels_bloques_reprendre())
