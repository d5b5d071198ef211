"""Celery tasks of the outbox: thin, they take ids and call ``courrier.services``.

Retry policy of ``envoyer_courriel``: a temporary SMTP failure is retried after
``COURRIER_RETRY_BASE_SECONDS * 2 ** retries`` seconds (30 s by default, a setting so that the
integration tests can shrink it), capped at ``MAX_COUNTDOWN``, at most ``MAX_RETRIES`` times
(about two hours in all); then the email is marked failed.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from courrier.services import EnvoiReporte, courriel_expedier, courriels_bloques_reprendre

MAX_RETRIES = 8
# Redis holds a delayed retry unacknowledged until its countdown ends and delivers it again
# after the broker's visibility_timeout: every countdown must stay below it (a test checks).
MAX_COUNTDOWN = int(timedelta(hours=1).total_seconds())


def retry_countdown(retries):
    """Seconds to wait before retry number ``retries + 1``."""
    return min(settings.COURRIER_RETRY_BASE_SECONDS * 2**retries, MAX_COUNTDOWN)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def envoyer_courriel(self, courriel_id):
    retries = self.request.retries
    countdown = retry_countdown(retries) if retries < self.max_retries else None
    try:
        courriel_expedier(courriel_id=courriel_id, nouvel_essai_dans=countdown)
    except EnvoiReporte as exc:
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task
def relancer_courriels_bloques():
    return len(courriels_bloques_reprendre())
