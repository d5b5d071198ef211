"""Celery tasks of the partner directory: thin, they take ids and call the services.

Each opens its scope (``reseau.models.CentreManager``): the centre of the object it is given, or
every centre for the periodic ones.
"""

from celery import shared_task
from django_scopes import scopes_disabled

from partenariats import demandes
from partenariats.models import LotDemandes
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


# Celery's autodiscovery imports only this module; the booklet's task lives beside it.
from partenariats import tasks_livret  # noqa: E402, F401
