"""Benchmark entries of the frise des partenariats and the carte du maillage (bench/README.md).

Both must keep the same number of queries from 500 to 5,000 partnerships, and take at most 1.5
times as long at 5,000: the database groups and ranks, and the pages draw a bounded number of
partners (a cell's first 20, what fits on a ring), whatever the centre has.
"""

import itertools
from datetime import date, time, timedelta

from django.urls import reverse

from bench import registry
from bench.builders import BATCH, bulk_create_partenaires
from bench.scenarios.reseau import centre_with_admin
from cafes.models import Cafe, CafeSerie, Invitation
from partenariats.enums import (
    Construction,
    Horizon,
    NiveauImplication,
    RoleRaci,
    StatutPartenariat,
    TypePartenariat,
)
from partenariats.models import Contact, Partenaire, Partenariat, ParticipationProjet, Projet

PROJETS = 4
PARTICIPANTS = 12
# Partners who came to the cafés: the same few at every scale, as in a real centre.
HABITUES = 40
CAFES = 3
# One partnership in ten is terminated: left out of both drawings.
STATUTS = [StatutPartenariat.ACTIF] * 7 + [
    StatutPartenariat.ENVISAGE,
    StatutPartenariat.EN_PAUSE,
    StatutPartenariat.TERMINE,
]


def partenariats(scale):
    """``scale`` partnerships with ``scale // 2`` partners (most have two), every level,
    horizon, type and status; a few projects with their partners; cafés attended by a few."""
    centre, admin = centre_with_admin()
    partenaires = bulk_create_partenaires(
        [Partenaire(centre=centre, nom=f"Partenaire {n:05d}") for n in range(max(scale // 2, 1))],
        batch_size=BATCH,
    )
    niveaux, horizons, types = list(NiveauImplication), list(Horizon), list(TypePartenariat)
    Partenariat.objects.bulk_create(
        [
            Partenariat(
                centre=centre,
                partenaire=partenaires[n % len(partenaires)],
                type=types[n % 4],
                niveau=niveaux[(n // 3) % 3],
                horizon=horizons[(n // 7) % 3],
                statut=STATUTS[n % len(STATUTS)],
                objet=f"Partenariat {n}",
                construction=Construction.CO_CONSTRUIT,
            )
            for n in range(scale)
        ],
        batch_size=BATCH,
    )
    projets = Projet.objects.bulk_create(
        Projet(centre=centre, titre=f"Projet {n}", debut=date(2026, 9, 1)) for n in range(PROJETS)
    )
    roles = itertools.cycle(RoleRaci)
    ParticipationProjet.objects.bulk_create(
        ParticipationProjet(
            projet=projet,
            partenaire=partenaires[(7 * n + p) % len(partenaires)],
            role=next(roles),
            niveau=niveaux[p % 3],
            horizon=horizons[(p // 3) % 3],
        )
        for n, projet in enumerate(projets)
        for p in range(min(PARTICIPANTS, len(partenaires)))
    )
    habitues = partenaires[-HABITUES:]
    contacts = Contact.objects.bulk_create(
        Contact(partenaire=p, nom=f"Contact {p.pk}", email=f"c{p.pk}@p.test") for p in habitues
    )
    serie = CafeSerie.objects.create(
        centre=centre, nom="Café du banc d'essai", heure_debut=time(9), heure_fin=time(11)
    )
    for n in range(CAFES):
        cafe = Cafe.objects.create(
            centre=centre,
            serie=serie,
            date=date(2026, 1, 9) + timedelta(days=28 * n),
            heure_debut=time(9),
            heure_fin=time(11),
            adresse="12 rue Lamartine, 47000 Agen",
        )
        Invitation.objects.bulk_create(
            Invitation(cafe=cafe, contact=contact, present=i % (n + 2) == 0)
            for i, contact in enumerate(contacts)
        )
    return {"user": admin, "centre": centre, "projet": projets[0]}


registry.page("partenariats:frise", builder=partenariats)
registry.page("partenariats:carte", builder=partenariats)
registry.page(
    "partenariats:frise_projet",
    builder=partenariats,
    url=lambda context: reverse("partenariats:frise_projet", args=[context["projet"].pk]),
)
