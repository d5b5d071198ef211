"""Celery tasks of the reseau app: thin, they call ``reseau.services``."""

from celery import shared_task

from reseau import services


@shared_task
def envoyer_reinitialisation(email):
    """The password-reset email of ``email``'s accounts, if any (see the service)."""
    services.reinitialisation_demander(email=email)
