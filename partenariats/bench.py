"""Benchmark entries of the partner directory (bench/README.md).

The directory must keep the same number of queries from 2,000 to 20,000 partners, and its
searched-and-filtered page at 20,000 must take at most 1.5 times its time at 2,000.
"""

import random

from django.urls import reverse

from bench import registry
from bench.builders import BATCH
from partenariats.enums import CategoriePartenaire
from partenariats.models import Contact, Partenaire, Theme
from reseau.bench import centre_with_admin

COMMUNES = ["Agen", "Boé", "Le Passage", "Bon-Encontre", "Foulayronnes", "Pont-du-Casse"]
MOTS = (
    "accompagnement accueil aide alimentation atelier budget culture droits emploi enfants "
    "famille formation habitants insertion jeunes logement loisirs médiation mobilité numérique "
    "parents permanence prévention quartier santé scolarité soutien sport vacances voisinage "
    "écoute éducation solidarité citoyenneté handicap seniors isolement transport réussite"
).split()
QUERY = "?q=insertion&categorie=association&theme=emploi"


def directory(scale):
    """``scale`` partners with one or two contacts and themes each, missions drawn from a
    vocabulary of forty words, so any one word matches a fixed share of the directory."""
    rng = random.Random(scale)
    centre, admin = centre_with_admin()
    categories = [c for c, _ in CategoriePartenaire.choices]
    partenaires = Partenaire.objects.bulk_create(
        [
            Partenaire(
                centre=centre,
                nom=f"{rng.choice(['Association', 'Club', 'Service', 'Maison'])} {n:05d}",
                categorie=categories[n % len(categories)],
                commune=COMMUNES[n % len(COMMUNES)],
                code_postal="47000",
                missions=" ".join(rng.sample(MOTS, 8)),
                services=" ".join(rng.sample(MOTS, 5)),
            )
            for n in range(scale)
        ],
        batch_size=BATCH,
    )
    themes = list(Theme.objects.all())
    Through = Partenaire.themes.through
    Through.objects.bulk_create(
        [
            Through(partenaire_id=p.pk, theme_id=theme.pk)
            for p in partenaires
            for theme in rng.sample(themes, 2)
        ],
        batch_size=BATCH,
    )
    Contact.objects.bulk_create(
        [
            Contact(partenaire=p, nom=f"Contact {p.pk}", email=f"contact{p.pk}@partenaire.test")
            for p in partenaires
        ],
        batch_size=BATCH,
    )
    return {"user": admin, "centre": centre, "partenaire": partenaires[len(partenaires) // 2]}


registry.page("partenaires:liste", builder=directory)
registry.page(
    "partenaires:liste (recherche + filtres)",
    builder=directory,
    url=lambda context: reverse("partenaires:liste") + QUERY,
)
registry.page(
    "partenaires:detail",
    builder=directory,
    url=lambda context: context["partenaire"].get_absolute_url(),
)
