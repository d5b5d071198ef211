"""Celery tasks of the partner directory: thin, they take ids and call the services.

Each opens its scope (``reseau.models.CentreManager``): the centre of the object it is given, or
every centre for the periodic ones.
"""

import logging

from celery import shared_task
from django_scopes import scope, scopes_disabled

from partenariats.models import Livret, LotDemandes
from partenariats.services import demandes
from partenariats.services.alertes import alertes_envoyer
from partenariats.services.livret import livret_generer
from reseau.models import Centre, scope_de

logger = logging.getLogger(__name__)


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


@shared_task
def envoyer_alertes():
    """Daily: each centre's admins get the digest of what needs attention, each item once
    (see ``alertes_envoyer``), so running it again does no harm. Each centre in its own scope
    and transaction: one centre's failure is logged and leaves the others their digest."""
    with scopes_disabled():
        centres = list(Centre.objects.order_by("pk"))
    total = 0
    for centre in centres:
        with scope(centre=centre.pk):
            try:
                total += alertes_envoyer(centre=centre)
            except Exception:
                logger.exception("Alerts digest of centre %s not sent", centre.pk)
    return total
