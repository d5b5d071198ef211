"""Celery tasks of the Café partenaires: thin, they take ids and call ``cafes.services``.

Each opens its scope (``reseau.models.CentreManager``): the café's centre for a café's job, every
centre for the periodic ones.
"""

from celery import shared_task
from django_scopes import scopes_disabled

from cafes.models import Cafe
from cafes.services import invitations
from reseau.models import scope_de


@shared_task
def envoyer_invitations(cafe_id):
    """Emails the café's invitations not yet sent; safe to run twice (see
    ``invitations_expedier``)."""
    with scope_de(Cafe, cafe_id):
        return invitations.invitations_expedier(cafe_id=cafe_id)


@shared_task
def envoyer_rappels():
    """The day's reminders; runs hourly, sends each reminder once."""
    with scopes_disabled():
        return invitations.rappels_envoyer()


@shared_task
def reprendre_invitations():
    with scopes_disabled():
        return len(invitations.invitations_bloquees_reprendre())
