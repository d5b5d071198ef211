"""Celery tasks of the reseau app: thin, they call ``reseau.services``."""

from celery import shared_task

from reseau import services


@shared_task
def envoyer_reinitialisation(demande_id):
    """The password-reset email of a pending request, if it has accounts (see the service)."""
    services.reinitialisation_traiter(demande_id=demande_id)


@shared_task
def reprendre_reinitialisations():
    return len(services.reinitialisations_reprendre())
