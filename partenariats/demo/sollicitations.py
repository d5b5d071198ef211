"""Demo requests received by the centre of Montanou (source 05): one declined because the
centre was not consulted, one still open whose answer is due ten days after the demo is
loaded (it shows among the home page's alerts), one accepted that became a partnership.

Dates are relative to the day the demo is loaded. Loading again creates what is missing only
(a request is known by its centre and its purpose)."""

from datetime import date, timedelta

from django.utils import timezone

from partenariats.enums import (
    Construction,
    DecisionSollicitation,
    Horizon,
    NatureSollicitation,
    NiveauImplication,
    StatutPartenariat,
    TypePartenariat,
)
from partenariats.models import Partenaire, Sollicitation
from partenariats.services.sollicitations import (
    sollicitation_accepter,
    sollicitation_creer,
    sollicitation_decider,
)
from reseau.models import Centre, User

RAISON_DECLIN = (
    "Nous n'avons pas été associés à l'écriture du projet ; nous ne pouvons pas engager "
    "l'équipe sans en discuter."
)


def _sollicitations(aujourd_hui):
    """(demandeur's name, request's fields, what becomes of it) for each demo request."""
    return [
        (
            "Ville d'Agen — politique de la ville",
            {
                "nature": NatureSollicitation.DOSSIER,
                "objet": "Figurer comme partenaire de la fiche action « Parentalité et "
                "numérique » du contrat de ville",
                "description": "Courriel reçu du service politique de la ville avec la fiche "
                "action déjà rédigée : le centre y est cité comme partenaire pour animer "
                "douze ateliers parents-enfants, sans que l'équipe ait été sollicitée. "
                "Le dossier part à l'État dans trois semaines.",
                "recue_le": aujourd_hui - timedelta(days=41),
                "echeance": aujourd_hui - timedelta(days=20),
                "associe_conception": False,
            },
            ("decliner", aujourd_hui - timedelta(days=34)),
        ),
        (
            "Programme de réussite éducative d'Agen",
            {
                "nature": NatureSollicitation.INSTANCE,
                "objet": "Siéger à l'équipe pluridisciplinaire de soutien du programme de "
                "réussite éducative",
                "description": "Invitation à désigner une personne de l'équipe pour les "
                "réunions mensuelles (le mardi, 14\u00a0h – 16\u00a0h\u00a030) qui "
                "étudient les parcours des enfants du quartier. La composition a été "
                "arrêtée sans nous ; la coordinatrice propose "
                "d'en parler avant le prochain comité.",
                "recue_le": aujourd_hui - timedelta(days=6),
                "echeance": aujourd_hui + timedelta(days=10),
                "associe_conception": False,
            },
            None,
        ),
        (
            "Agen Habitat",
            {
                "nature": NatureSollicitation.COSIGNATURE,
                "objet": "Cosigner le projet « Immeuble en fête » des résidences de Montanou",
                "description": "Projet préparé ensemble lors du café partenaires sur le "
                "logement : fêtes d'immeuble au printemps, portées par les amicales de "
                "locataires avec l'appui du centre et du bailleur.",
                "recue_le": aujourd_hui - timedelta(days=75),
                "echeance": aujourd_hui - timedelta(days=60),
                "associe_conception": True,
            },
            ("accepter", aujourd_hui - timedelta(days=62)),
        ),
    ]


def charger(stdout):
    centre = Centre.objects.get(slug="montanou")
    directrice = User.objects.get(email="directrice@montanou.demo")
    animateur = User.objects.get(email="animateur@montanou.demo")
    aujourd_hui = timezone.localdate()
    existantes = set(Sollicitation.objects.filter(centre=centre).values_list("objet", flat=True))
    crees = 0
    for nom, champs, suite in _sollicitations(aujourd_hui):
        if champs["objet"] in existantes:
            continue
        demandeur = Partenaire.objects.get(centre=centre, nom=nom)
        sollicitation = sollicitation_creer(
            centre=centre, demandeur=demandeur, par=animateur, **champs
        )
        crees += 1
        if suite is None:
            continue
        decision, le = suite
        if decision == DecisionSollicitation.DECLINER:
            sollicitation_decider(
                sollicitation=sollicitation,
                decision=DecisionSollicitation.DECLINER,
                raison=RAISON_DECLIN,
                par=directrice,
                le=le,
            )
        else:
            sollicitation_accepter(
                sollicitation=sollicitation,
                par=directrice,
                le=le,
                raison="Projet construit avec l'amicale des locataires et le bailleur.",
                objet="Immeuble en fête dans les résidences de Montanou",
                type=TypePartenariat.PROJET,
                niveau=NiveauImplication.CO_PORTEUR,
                horizon=Horizon.COURT,
                statut=StatutPartenariat.ACTIF,
                referent=animateur,
                debut=le,
                fin=date(le.year + 1, 6, 30),
                construction=Construction.CO_CONSTRUIT,
                construction_commentaire="",
            )
    stdout.write(f"  demandes reçues : {crees} ajoutées")
