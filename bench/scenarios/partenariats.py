"""Benchmark entries of the partner directory (bench/README.md).

The directory must keep the same number of queries from 2,000 to 20,000 partners, and its
searched-and-filtered page at 20,000 must take at most 1.5 times its time at 2,000.
"""

import io
import itertools
import random
import tempfile
from datetime import date

from django.test import override_settings
from django.urls import reverse
from django_scopes import scope
from openpyxl import load_workbook

from bench import registry
from bench.builders import BATCH, bulk_create_partenaires
from bench.scenarios.reseau import centre_with_admin
from partenariats.echanges.analyse import analyser
from partenariats.echanges.export import export_xlsx
from partenariats.enums import CategoriePartenaire, StatutLivret
from partenariats.models import Contact, Livret, Partenaire, Theme
from partenariats.services.importation import partenaires_importer
from partenariats.services.livret import livret_generer

COMMUNES = ["Agen", "Boé", "Le Passage", "Bon-Encontre", "Foulayronnes", "Pont-du-Casse"]
MOTS = (
    "accompagnement accueil aide alimentation atelier budget culture droits emploi enfants "
    "famille formation habitants insertion jeunes logement loisirs médiation mobilité numérique "
    "parents permanence prévention quartier santé scolarité soutien sport vacances voisinage "
    "écoute éducation solidarité citoyenneté handicap seniors isolement transport réussite"
).split()
# A real directory holds thousands of distinct words: everyday ones plus synthetic terms. The
# searched word is put in one fiche out of ten, and the filters keep about half of those, so
# that the page is full (50 rows) at both scales and the two timings compare like with like.
VOCABULAIRE = [mot for mot in MOTS if mot != "insertion"] + [f"terme{n}" for n in range(360)]
QUERY = "?q=insertion&livret=oui&fiche=a-confirmer"


def directory(scale):
    """``scale`` partners with a contact and two themes each, missions drawn from a fixed
    vocabulary, so any one word matches the same share of the directory at every scale."""
    rng = random.Random(scale)
    centre, admin = centre_with_admin()
    categories = [c for c, _ in CategoriePartenaire.choices]
    partenaires = bulk_create_partenaires(
        [
            Partenaire(
                centre=centre,
                nom=f"{rng.choice(['Association', 'Club', 'Service', 'Maison'])} {n:05d}",
                categorie=categories[n % len(categories)],
                commune=COMMUNES[n % len(COMMUNES)],
                code_postal="47000",
                missions=" ".join(
                    rng.sample(VOCABULAIRE, 8) + (["insertion"] if n % 10 == 0 else [])
                ),
                dans_livret=n % 5 != 0,
                fiche_confirmee_le=date(2026, 1, 1) if n % 5 < 2 else date(2023, 1, 1),
                services=" ".join(rng.sample(VOCABULAIRE, 5)),
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


registry.page("partenariats:liste", builder=directory)
registry.page(
    "partenariats:liste (recherche + filtres)",
    builder=directory,
    url=lambda context: reverse("partenariats:liste") + QUERY,
)
registry.page(
    "partenariats:detail",
    builder=directory,
    url=lambda context: context["partenaire"].get_absolute_url(),
)


PASSAGES = itertools.count()


@registry.job("annuaire : export, modification et réimport (.xlsx)", builder=directory)
def aller_retour(context):
    """The directory's round trip as staff make it: the Excel export, one phone number changed
    on every tenth partner and one contact's function on every tenth contact, the preview's
    analysis, then the import that updates those fiches. Each run writes other values: the job
    is repeated on the same data."""
    centre = context["centre"]
    passage = next(PASSAGES)
    with scope(centre=centre):
        classeur = load_workbook(io.BytesIO(export_xlsx(Partenaire.objects.all())))
        partenaires, contacts = classeur["Partenaires"], classeur["Contacts"]
        telephone = [c.value for c in partenaires[1]].index("Téléphone") + 1
        for ligne in range(2, partenaires.max_row + 1, 10):
            partenaires.cell(row=ligne, column=telephone, value=f"05 53 00 {passage % 100:02d} 99")
        fonction = [c.value for c in contacts[1]].index("Fonction") + 1
        for ligne in range(2, contacts.max_row + 1, 10):
            contacts.cell(row=ligne, column=fonction, value=f"Accueil {passage}")
        tampon = io.BytesIO()
        classeur.save(tampon)
        analyse = analyser(tampon.getvalue(), "annuaire.xlsx", centre=centre)
        assert analyse.valide and analyse.mis_a_jour, analyse.erreurs[:3]
        partenaires_importer(centre=centre, analyse=analyse, user=context["user"])


# --- Livret des partenaires -----------------------------------------------------------------
# The booklet job makes the whole PDF of ``scale`` partners, fiches filled as partners fill
# them (two contacts, one to three themes). WeasyPrint lays out about three fiches a page, so
# the job is slow by nature: measure it alone, e.g.
#   manage.py bench --only livret --scales 100 500 --repeat 1

FICHE_MISSIONS = (
    "Accueillir, informer et orienter les habitants dans leurs démarches de la vie quotidienne. "
    "Accompagner les familles vers leurs droits et les services du territoire.\n"
    "Animer des temps collectifs avec les partenaires du réseau."
)
FICHE_PUBLICS = "Familles, jeunes de 16 à 25 ans, personnes âgées isolées."
FICHE_SERVICES = (
    "Permanences sans rendez-vous le mardi matin ; ateliers collectifs ; aide aux démarches en "
    "ligne ; orientation vers les partenaires."
)
FICHE_HORAIRES = "Du lundi au vendredi, 9 h – 12 h et 14 h – 17 h\nFermé le mercredi après-midi"
PRENOMS = ["Nadia", "Julien", "Odette", "Karim", "Claire", "Mathis", "Inès", "Bernard"]
NOMS = ["Belkacem", "Marty", "Lagarde", "Dufau", "Nguyen", "Garcia", "Moreau", "Diallo"]


def livret_partenaires(scale):
    """``scale`` partners in the booklet, with complete fiches."""
    rng = random.Random(scale)
    centre, admin = centre_with_admin()
    categories = [c for c, _ in CategoriePartenaire.choices]
    partenaires = bulk_create_partenaires(
        [
            Partenaire(
                centre=centre,
                nom=f"{rng.choice(['Association', 'Maison', 'Service', 'Collectif'])} "
                f"{rng.choice(MOTS)} {n:04d}",
                sigle=f"P{n}" if n % 3 == 0 else "",
                categorie=categories[n % len(categories)],
                adresse=f"{n % 90 + 1} rue Lamartine",
                code_postal="47000",
                commune=COMMUNES[n % len(COMMUNES)],
                telephone="05 53 66 00 00",
                email=f"accueil{n}@partenaire.test",
                site_web=f"https://www.partenaire{n}.test/",
                missions=FICHE_MISSIONS,
                publics=FICHE_PUBLICS,
                services=FICHE_SERVICES,
                horaires=FICHE_HORAIRES,
                territoire="Quartiers Nord d'Agen",
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
            for n, p in enumerate(partenaires)
            for theme in rng.sample(themes, n % 3 + 1)
        ],
        batch_size=BATCH,
    )
    Contact.objects.bulk_create(
        [
            Contact(
                partenaire=p,
                prenom=PRENOMS[(n + k) % len(PRENOMS)],
                nom=NOMS[(n * 3 + k) % len(NOMS)],
                fonction="Coordinatrice" if k else "Directeur",
                email=f"contact{k}.{n}@partenaire.test",
                telephone="06 12 34 56 78",
                publier_dans_livret=True,
            )
            for n, p in enumerate(partenaires)
            for k in range(2)
        ],
        batch_size=BATCH,
    )
    return {"user": admin, "centre": centre}


# A 500-partner booklet takes about a minute to lay out: run it with --only livret.
@registry.job("livret PDF", builder=livret_partenaires, on_demand=True)
def livret_pdf(context):
    livret = Livret.objects.create(centre=context["centre"], cree_par=context["user"])
    # The PDF goes to a throwaway folder: the runner rolls the data back, not the files.
    with tempfile.TemporaryDirectory() as dossier, override_settings(MEDIA_ROOT=dossier):
        livret = livret_generer(livret_id=livret.pk)
    if livret.statut != StatutLivret.PRET:
        raise RuntimeError(livret.erreur)
