"""Benchmark entries of the partnerships (bench/README.md): the list, filtered or not, and a
partnership's page, from 500 to 5,000 partnerships (issue 10: constant query count, time
ratio at most 1.5).

    DEBUG=1 DATABASE_URL=... .venv/bin/python -m bench --only partenariat --scales 500 5000
"""

import itertools
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from bench import registry
from bench.builders import BATCH, bulk_create_partenaires
from bench.scenarios.reseau import centre_with_admin, members_add
from partenariats.enums import (
    CategoriePartenaire,
    Construction,
    Horizon,
    NiveauImplication,
    StatutPartenariat,
    TypePartenariat,
)
from partenariats.models import Partenaire, Partenariat

# The filters the frise links with, plus a sort: a full page (50 rows) at both scales.
FILTRES = "?niveau=allie&statut=tous&tri=fin"


def partenariats(scale):
    """``scale`` partnerships over ``scale // 4`` partners (a partner has several: one per
    type, or several actions), every type, level, horizon, status and way of building,
    followed by a dozen members, ending from a year ago to three years ahead."""
    centre, admin = centre_with_admin()
    membres = [membre.user for membre in members_add(centre, 12)] + [admin]
    categories = itertools.cycle(CategoriePartenaire.values)
    partenaires = bulk_create_partenaires(
        [
            Partenaire(centre=centre, nom=f"Partenaire {n:05d}", categorie=next(categories))
            for n in range(max(scale // 4, 1))
        ],
        batch_size=BATCH,
    )
    aujourd_hui = timezone.localdate()
    valeurs = [
        TypePartenariat.values,
        NiveauImplication.values,
        Horizon.values,
        StatutPartenariat.values,
        Construction.values,
    ]
    lignes = []
    for n in range(scale):
        type_, niveau, horizon, statut, construction = (v[n % len(v)] for v in valeurs)
        debut = aujourd_hui - timedelta(days=400 - n % 300)
        lignes.append(
            Partenariat(
                centre=centre,
                partenaire=partenaires[n % len(partenaires)],
                type=type_,
                niveau=niveau,
                horizon=horizon,
                statut=statut,
                construction=construction,
                objet=f"Action partagée n°{n}",
                debut=debut,
                fin=None if n % 7 == 0 else debut + timedelta(days=30 + n % 1400),
                referent=None if n % 5 == 0 else membres[n % len(membres)],
            )
        )
    crees = Partenariat.objects.bulk_create(lignes, batch_size=BATCH)
    # An orientation partnership (a multiple of 4) at every scale: its page shows a protocol.
    return {"user": admin, "centre": centre, "partenariat": crees[len(crees) // 8 * 4]}


registry.page("partenariats:partenariat_liste", builder=partenariats)
registry.page(
    "partenariats:partenariat_liste (filtres + tri)",
    builder=partenariats,
    url=lambda context: reverse("partenariats:partenariat_liste") + FILTRES,
)
registry.page(
    "partenariats:partenariat_detail",
    builder=partenariats,
    url=lambda context: context["partenariat"].get_absolute_url(),
)
