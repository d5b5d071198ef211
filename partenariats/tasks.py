"""Celery tasks of the partner directory: thin, they take ids and call the services."""

from celery import shared_task

from partenariats.services import demandes
from partenariats.services.livret import livret_generer


@shared_task
def envoyer_lot_demandes(lot_id):
    """Sends a grouped fiche update request; safe to run twice (see ``lot_traiter``)."""
    demandes.lot_traiter(lot_id=lot_id)


@shared_task
def reprendre_lots_demandes():
    return len(demandes.lots_bloques_reprendre())


@shared_task
def generer_livret(livret_id):
    # A booklet already made is left alone, so a redelivered task (acks_late) does no harm.
    livret_generer(livret_id=livret_id)
