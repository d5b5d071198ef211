"""Demo funding agreements of Montanou (see ``manage.py demo``): the CAF's prestation de
service animation globale over four years; the project "Bien dans son assiette, bien dans ses
baskets" funded by three multi-year agreements of two funders (the CAF, twice in a row, and
the Ville d'Agen's politique de la ville), and by none of the CPAM, whose request was
refused. Years are relative to today, so that the demo stays current.

The project is the projects' demo's (it runs first); if it is missing, a bare one of that
title is made, which the projects' demo then finds. Agreements go through the service, like
staff's; loading again creates what is missing only (an agreement by funder and purpose).
"""

from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from commun.pdf import pdf_rendre
from partenariats.enums import GenreProjet, StatutConvention, StatutProjet
from partenariats.models import Convention, MontantConvention, Partenaire, Projet
from partenariats.services.conventions import convention_creer
from reseau.models import Centre

PROJET = "Bien dans son assiette, bien dans ses baskets"
CAF = "Caisse d'allocations familiales de Lot-et-Garonne"
VILLE = "Ville d'Agen — politique de la ville"
CPAM = "Caisse primaire d'assurance maladie"


def _conventions(annee):
    """(funder, fields, [(year, amount)], with a signed document) of each demo agreement."""
    return [
        (
            CAF,
            {
                "objet": "Prestation de service animation globale",
                "reference": f"AGC-{annee - 1}-0147",
                "statut": StatutConvention.SIGNEE,
                "debut": date(annee - 1, 1, 1),
                "fin": date(annee + 2, 12, 31),
                "notes": "Agrément centre social pour quatre ans, renouvelé avec le projet "
                "social. Versement d'un acompte de 70 % en début d'année, le solde sur bilan.",
            },
            [
                (annee - 1, "68450.00"),
                (annee, "69820.00"),
                (annee + 1, "71215.00"),
                (annee + 2, "72640.00"),
            ],
            True,
        ),
        (
            CAF,
            {
                "objet": "Fonds publics et territoires — alimentation, première phase",
                "reference": f"FPT-{annee - 2}-011",
                "statut": StatutConvention.SOLDEE,
                "debut": date(annee - 2, 1, 1),
                "fin": date(annee - 1, 12, 31),
                "notes": "Bilan envoyé et solde versé. Le renouvellement a pris la suite.",
            },
            [(annee - 2, "7000.00"), (annee - 1, "7500.00")],
            False,
        ),
        (
            CAF,
            {
                "objet": "Fonds publics et territoires — alimentation, renouvellement",
                "reference": f"FPT-{annee}-032",
                "statut": StatutConvention.SIGNEE,
                "debut": date(annee, 1, 1),
                "fin": date(annee + 2, 12, 31),
                "notes": "Ateliers cuisine parents-enfants et sorties sportives du mercredi.",
            },
            [(annee, "8000.00"), (annee + 1, "8500.00"), (annee + 2, "9000.00")],
            False,
        ),
        (
            VILLE,
            {
                "objet": "Contrat de ville — appel à projets santé et alimentation",
                "reference": f"CDV-{annee - 1}-18",
                "statut": StatutConvention.ACCORDEE,
                "debut": date(annee - 1, 9, 1),
                "fin": date(annee + 1, 8, 31),
                "notes": "Accord de principe reçu ; la convention est à signer en mairie.",
            },
            [(annee - 1, "2500.00"), (annee, "6000.00"), (annee + 1, "3500.00")],
            False,
        ),
        (
            CPAM,
            {
                "objet": "Appel à projets prévention — ateliers nutrition",
                "reference": "",
                "statut": StatutConvention.REFUSEE,
                "debut": date(annee, 3, 1),
                "fin": date(annee, 12, 31),
                "notes": "Refusé : l'enveloppe départementale était épuisée. À redéposer "
                "l'an prochain, dès l'ouverture de l'appel.",
            },
            [(annee, "4200.00")],
            False,
        ),
    ]


def charger(stdout):
    centre = Centre.objects.get(slug="montanou")
    annee = timezone.localdate().year
    projet, _cree = Projet.objects.get_or_create(
        centre=centre,
        titre=PROJET,
        defaults={"genre": GenreProjet.PROJET, "statut": StatutProjet.EN_COURS},
    )
    financeurs = {p.nom: p for p in Partenaire.objects.filter(centre=centre)}
    for nom, champs, montants, signee in _conventions(annee):
        financeur = financeurs[nom]
        if Convention.objects.filter(
            centre=centre, financeur=financeur, objet=champs["objet"]
        ).exists():
            continue
        # Every agreement but the animation globale funds the project.
        finance_le_projet = champs["objet"] != "Prestation de service animation globale"
        montants = [(a, Decimal(m)) for a, m in montants]
        convention_creer(
            centre=centre,
            financeur=financeur,
            projet=projet if finance_le_projet else None,
            montants=montants,
            document=_document(centre, financeur, champs, montants) if signee else None,
            **champs,
        )
    nb = Convention.objects.filter(centre=centre).count()
    stdout.write(f"  conventions : {nb} conventions de financement à Montanou")


def _document(centre, financeur, champs, montants):
    """The "signed agreement" of the demo, a PDF that says what the agreement holds."""
    pdf = pdf_rendre(
        "partenariats/pdf/convention_demo.html",
        {
            "convention": Convention(centre=centre, financeur=financeur, **champs),
            "montants": [MontantConvention(annee=a, montant=m) for a, m in montants],
        },
    )
    return ContentFile(pdf, name=f"{champs['objet']} — convention signée.pdf")
