"""Benchmark entries of projects and actions (bench/README.md).

The list of projects, a project's page and its RACI table must keep the same number of queries
and about the same time however many projects, partners and bilans the centre has. (A page
grows with the project's own partners, which it lists: tests/partenariats/test_projets.py
checks that its queries do not.)
"""

from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse

from bench import registry
from bench.builders import BATCH, bulk_create_partenaires
from bench.scenarios.reseau import centre_with_admin
from partenariats.enums import Horizon, NiveauImplication, RoleRaci
from partenariats.models import Bilan, ChiffreBilan, Partenaire, ParticipationProjet, Projet

ROLES = list(RoleRaci)
NIVEAUX = list(NiveauImplication)
HORIZONS = list(Horizon)


def _partenaires(centre, nombre):
    return bulk_create_partenaires(
        [Partenaire(centre=centre, nom=f"Partenaire {n:05d}") for n in range(nombre)],
        batch_size=BATCH,
    )


def _participations(projet_partenaires):
    ParticipationProjet.objects.bulk_create(
        [
            ParticipationProjet(
                projet=projet,
                partenaire=partenaire,
                role=ROLES[n % 4],
                niveau=NIVEAUX[n % 3],
                horizon=HORIZONS[n % 3],
                freins="Peu de temps disponible.",
                leviers="Un public commun.",
            )
            for n, (projet, partenaire) in enumerate(projet_partenaires)
        ],
        batch_size=BATCH,
    )


def _bilans(projets, par_projet):
    bilans = Bilan.objects.bulk_create(
        [
            Bilan(
                projet=projet,
                date=date(2026, 1, 1) + timedelta(days=30 * k),
                titre=f"Bilan {k}",
                texte="Ce qui a été fait, ce qui avance.",
            )
            for projet in projets
            for k in range(par_projet)
        ],
        batch_size=BATCH,
    )
    ChiffreBilan.objects.bulk_create(
        [
            ChiffreBilan(bilan=bilan, libelle=libelle, valeur=Decimal(valeur), ordre=ordre)
            for bilan in bilans
            for ordre, (libelle, valeur) in enumerate(
                [("participants", "42"), ("ateliers", "12"), ("satisfaction", "4.5")]
            )
        ],
        batch_size=BATCH,
    )


def projets(scale):
    """``scale`` projects of one centre among 200 partners, each with ten partners and two
    bilans of three figures."""
    centre, admin = centre_with_admin()
    partenaires = _partenaires(centre, 200)
    liste = Projet.objects.bulk_create(
        [
            Projet(centre=centre, titre=f"Projet {n:05d}", debut=date(2026, 1, 1))
            for n in range(scale)
        ],
        batch_size=BATCH,
    )
    _participations(
        (projet, partenaires[(n * 7 + k) % len(partenaires)])
        for n, projet in enumerate(liste)
        for k in range(10)
    )
    _bilans(liste, 2)
    return {"user": admin, "centre": centre, "projet": liste[len(liste) // 2]}


registry.page("partenariats:projet_liste", builder=projets)
registry.page(
    "partenariats:projet_detail",
    builder=projets,
    url=lambda context: context["projet"].get_absolute_url(),
)
registry.page(
    "partenariats:projet_raci",
    builder=projets,
    url=lambda context: reverse("partenariats:projet_raci", args=[context["projet"].pk]),
)
