"""Benchmark entries of the funding agreements (bench/README.md): their list, filtered, with
its totals per funder and per year over every agreement kept, and a funder's page.

``scale`` agreements of three years each, spread over 40 funders; one in ten refused.
"""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from bench import registry
from bench.builders import BATCH, bulk_create_partenaires
from bench.scenarios.reseau import centre_with_admin
from partenariats.enums import CategoriePartenaire, StatutConvention
from partenariats.models import Convention, MontantConvention, Partenaire, Projet

FINANCEURS = 40
STATUTS = [StatutConvention.SIGNEE] * 6 + [
    StatutConvention.ACCORDEE,
    StatutConvention.DEMANDEE,
    StatutConvention.SOLDEE,
    StatutConvention.REFUSEE,
]


def conventions(scale):
    centre, admin = centre_with_admin()
    financeurs = bulk_create_partenaires(
        [
            Partenaire(
                centre=centre, nom=f"Financeur {n:03d}", categorie=CategoriePartenaire.COLLECTIVITE
            )
            for n in range(FINANCEURS)
        ]
    )
    projets = Projet.objects.bulk_create(
        Projet(centre=centre, titre=f"Projet {n:03d}") for n in range(20)
    )
    lignes = Convention.objects.bulk_create(
        [
            Convention(
                centre=centre,
                financeur=financeurs[n % FINANCEURS],
                projet=projets[n % 20] if n % 3 else None,
                objet=f"Convention {n:05d}",
                statut=STATUTS[n % len(STATUTS)],
                debut=date(2020 + n % 6, 1, 1),
                fin=date(2022 + n % 6, 12, 31),
            )
            for n in range(scale)
        ],
        batch_size=BATCH,
    )
    MontantConvention.objects.bulk_create(
        [
            MontantConvention(
                convention=ligne, annee=ligne.debut.year + k, montant=Decimal(1000 + 250 * k)
            )
            for ligne in lignes
            for k in range(3)
        ],
        batch_size=BATCH,
    )
    return {"user": admin, "centre": centre, "financeur": financeurs[0]}


registry.page("partenariats:convention_liste", builder=conventions)
registry.page(
    "partenariats:convention_liste (filtrée, année 2024)",
    builder=conventions,
    url=lambda context: reverse("partenariats:convention_liste") + "?annee=2024&statut=signee",
)
registry.page(
    "partenariats:detail (financeur)",
    builder=conventions,
    url=lambda context: reverse("partenariats:detail", args=[context["financeur"].pk]),
)
