"""Celery tasks of the partner directory: thin, they take ids and call the services.

Each opens its scope (``reseau.models.CentreManager``): the centre of the object it is given, or
every centre for the periodic ones.
"""

from celery import shared_task
from django_scopes import scopes_disabled

from partenariats.models import Livret, LotDemandes
from partenariats.services import demandes
from partenariats.services.livret import livret_generer
from reseau.models import scope_de


@shared_task
def envoyer_lot_demandes(lot_id):
    """Sends a grouped fiche update request; safe to run twice (see ``lot_traiter``)."""
    with scope_de(LotDemandes, lot_id):
        demandes.lot_traiter(lot_id=lot_id)


@shared_task
def reprendre_lots_demandes():
    with scopes_disabled():
        return len(demandes.lots_bloques_reprendre())


@shared_task
def generer_livret(livret_id):
    # A booklet already made is left alone, so a redelivered task (acks_late) does no harm.
    with scope_de(Livret, livret_id):
        livret_generer(livret_id=livret_id)
