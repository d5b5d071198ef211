"""Benchmark entries of courrier: the outbox pages (bench/README.md)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from bench import registry
from bench.builders import BATCH, backdated
from bench.scenarios.reseau import centre_with_admin
from courrier.enums import StatutCourriel
from courrier.models import Courriel

# Mostly sent, one in twenty in each other state, as in a real outbox.
STATUTS = [StatutCourriel.ENVOYE] * 16 + [
    StatutCourriel.EN_ATTENTE,
    StatutCourriel.ENVOI,
    StatutCourriel.ECHEC,
    StatutCourriel.ANNULE,
]


def outbox(scale):
    """Scale: emails of the centre, one every 37 minutes back from now, in every status."""
    centre, admin = centre_with_admin()
    now = timezone.now()
    erreur = "550 5.1.1 <contact@partenaire.test>: Recipient address rejected"
    courriels = []
    for n in range(scale):
        statut = STATUTS[n % len(STATUTS)]
        cree_le = now - timedelta(minutes=37 * n)
        envoye_le = cree_le + timedelta(seconds=30) if statut == StatutCourriel.ENVOYE else None
        courriels.append(
            Courriel(
                centre=centre,
                destinataire=f"contact{n}@partenaire{n % 40}.test",
                sujet=f"Invitation au café partenaires n°{n}",
                corps_texte="Bonjour,\n\nNous vous invitons au prochain café partenaires.\n" * 5,
                corps_html="<p>Bonjour,</p><p>Nous vous invitons au prochain café.</p>" * 5,
                statut=statut,
                tentatives=0 if statut == StatutCourriel.EN_ATTENTE else 1 + n % 3,
                derniere_erreur=erreur if statut == StatutCourriel.ECHEC else "",
                envoye_le=envoye_le,
                cree_le=cree_le,
                modifie_le=envoye_le or cree_le,
            )
        )
    with backdated(Courriel, "cree_le", "modifie_le"):
        Courriel.objects.bulk_create(courriels, batch_size=BATCH)
    return {"user": admin, "centre": centre, "courriel": courriels[len(courriels) // 2]}


registry.page("courrier:liste", builder=outbox)
registry.page(
    "courrier:detail",
    builder=outbox,
    url=lambda context: reverse("courrier:detail", args=[context["courriel"].pk]),
)
