"""Celery task of the livret des partenaires: thin, it takes an id and calls the service.

Celery's autodiscovery imports only ``<app>.tasks``; ``partenariats.tasks`` imports this module.
"""

from celery import shared_task

from partenariats.livret import livret_generer
from partenariats.models import Livret
from reseau.models import scope_de


@shared_task
def generer_livret(livret_id):
    # A booklet already made is left alone, so a redelivered task (acks_late) does no harm.
    with scope_de(Livret, livret_id):
        livret_generer(livret_id=livret_id)
