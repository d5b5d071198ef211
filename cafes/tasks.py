"""Celery tasks of the Café partenaires: thin, they take ids and call
``cafes.services.invitations``."""

from celery import shared_task

from cafes.services import invitations


@shared_task
def envoyer_invitations(cafe_id):
    """Emails the café's invitations not yet sent; safe to run twice (see
    ``invitations_expedier``)."""
    return invitations.invitations_expedier(cafe_id=cafe_id)


@shared_task
def envoyer_rappels():
    """The day's reminders; runs hourly, sends each reminder once."""
    return invitations.rappels_envoyer()


@shared_task
def reprendre_invitations():
    return len(invitations.invitations_bloquees_reprendre())
