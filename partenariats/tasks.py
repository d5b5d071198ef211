"""Celery tasks of the partner directory: thin, they take ids and call the services."""

from celery import shared_task

from partenariats import demandes


@shared_task
def envoyer_lot_demandes(lot_id):
    """Sends a grouped fiche update request; safe to run twice (see ``lot_traiter``)."""
    demandes.lot_traiter(lot_id=lot_id)


@shared_task
def reprendre_lots_demandes():
    return len(demandes.lots_bloques_reprendre())


# Celery's autodiscovery imports only this module; the booklet's task lives beside it.
from partenariats import tasks_livret  # noqa: E402, F401
