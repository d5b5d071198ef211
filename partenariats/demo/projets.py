"""Demo projects and actions of Montanou (see ``manage.py demo``): the food project of source
01, "Bien dans son assiette, bien dans ses baskets", built with the CODES, the Conseil
départemental's social workers, the travailleuses familiales and the Restos bébés, with two
bilans; and an action, the holiday sports courses run with two clubs (source 01 too).

Dates are relative to today, like the cafés'. Loading again creates what is missing only
(projects by title, partners in them, bilans by title); the demo's photo is drawn with Pillow
(WeasyPrint's own dependency) when the bilan has no piece yet.
"""

import io
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partenariats.enums import CategoriePartenaire as C
from partenariats.enums import GenreProjet, Horizon, NiveauImplication, RoleRaci, StatutProjet
from partenariats.models import Bilan, Partenaire, ParticipationProjet, Projet, Theme
from partenariats.services.annuaire import partenaire_creer
from partenariats.services.projets import (
    bilan_creer,
    participation_ajouter,
    piece_ajouter,
    projet_creer,
)
from reseau.demo import COMPTES
from reseau.models import Centre, User

RESP, APPR, CONS, INFO = RoleRaci  # R, A, C, I
CO, AL, IN = NiveauImplication.CO_PORTEUR, NiveauImplication.ALLIE, NiveauImplication.INFORMATION
COURT, MOYEN, LONG = Horizon.COURT, Horizon.MOYEN, Horizon.LONG

# Partners of source 01 that montanou.csv does not hold. The Conseil départemental's social
# workers are those of the Centre médico-social; the Restos bébés, a service of the Restos du
# Cœur.
PARTENAIRES = [
    {
        "nom": "Comité départemental d'éducation pour la santé de Lot-et-Garonne",
        "sigle": "CODES 47",
        "categorie": C.SANTE,
        "adresse": "168 boulevard de la Liberté",
        "code_postal": "47000",
        "commune": "Agen",
        "telephone": "05 53 66 58 59",
        "missions": (
            "Prévention et éducation pour la santé : nutrition, activité physique, santé des "
            "jeunes ; formation des professionnels et outils d'animation."
        ),
        "publics": "Professionnels du social, de l'éducation et de la santé ; habitants",
        "themes": ["sante", "alimentation"],
    },
    {
        "nom": "Aide à domicile aux familles de Lot-et-Garonne",
        "sigle": "ADF 47",
        "categorie": C.ASSOCIATION,
        "adresse": "12 rue Lafayette",
        "code_postal": "47000",
        "commune": "Agen",
        "telephone": "05 53 47 21 30",
        "missions": (
            "Travailleuses familiales (TISF) : accompagnement des familles à domicile, soutien "
            "à la parentalité, organisation du quotidien, repas et budget."
        ),
        "publics": "Familles orientées par la CAF et le Conseil départemental",
        "themes": ["famille", "parentalite"],
    },
]

ASSIETTE = "Bien dans son assiette, bien dans ses baskets"
STAGES = "Stages sportifs des vacances"

PROJETS = [
    {
        "titre": ASSIETTE,
        "genre": GenreProjet.PROJET,
        "statut": StatutProjet.EN_COURS,
        "debut_mois": -15,
        "fin_mois": 9,
        "description": (
            "Des ateliers cuisine et nutrition pour les familles le mercredi, des activités "
            "physiques parents-enfants le samedi matin et, chaque trimestre, un repas partagé "
            "préparé par les familles. Les familles y viennent d'elles-mêmes ou orientées par "
            "les partenaires."
        ),
        "diagnostic": (
            "Le diagnostic du projet social a fait ressortir une alimentation déséquilibrée chez "
            "les enfants du quartier (constat des infirmières scolaires et de la PMI), peu "
            "d'activité physique en famille et l'isolement de jeunes parents. Ces constats ont "
            "été partagés en groupe de travail avec le CODES, les assistantes sociales du "
            "Centre médico-social, les travailleuses familiales et les Restos bébés."
        ),
        "partenaires": [
            (
                "Comité départemental d'éducation pour la santé de Lot-et-Garonne",
                RESP,
                CO,
                COURT,
                "Des animatrices qui interviennent sur tout le département : peu de dates "
                "disponibles dans l'année.",
                "Un public qu'il touche difficilement ; ses outils sur l'équilibre alimentaire "
                "trouvent un terrain d'animation régulier.",
            ),
            (
                "Aide à domicile aux familles de Lot-et-Garonne",
                RESP,
                AL,
                COURT,
                "Les heures d'intervention sont comptées : accompagner une famille à l'atelier "
                "doit entrer dans son plan d'aide.",
                "L'atelier prolonge le travail fait à domicile sur les repas et le budget.",
            ),
            (
                "Centre médico-social de Montanou",
                CONS,
                AL,
                COURT,
                "Crainte d'une charge de travail en plus ; la confidentialité des situations "
                "suivies.",
                "Une solution concrète à proposer aux familles, à deux pas du CMS.",
            ),
            (
                "Les Restaurants du Cœur — antenne d'Agen",
                CONS,
                AL,
                MOYEN,
                "Des bénévoles déjà très pris les jours de distribution.",
                "Les familles des Restos bébés cherchent des idées de repas avec les produits "
                "distribués.",
            ),
            (
                "Caisse d'allocations familiales de Lot-et-Garonne",
                APPR,
                IN,
                MOYEN,
                "Le projet doit entrer dans les critères de l'appel à projets parentalité.",
                "L'alimentation des jeunes enfants est une priorité de la convention "
                "territoriale globale.",
            ),
            (
                "Épicerie solidaire L'Escale",
                CONS,
                AL,
                COURT,
                "",
                "Ses ateliers budget rejoignent ceux du projet : des familles en commun.",
            ),
            (
                "Maison de santé pluriprofessionnelle de Montanou",
                INFO,
                IN,
                LONG,
                "Des médecins peu disponibles pour des réunions.",
                "Relayer les ateliers auprès des patients en surpoids ou diabétiques.",
            ),
            (
                "Sporting Union Agen — école de rugby",
                INFO,
                IN,
                MOYEN,
                "",
                "Faire découvrir le club à des enfants qui ne pratiquent aucun sport.",
            ),
        ],
        "bilans": [
            {
                "mois": -9,
                "titre": "Bilan des six premiers mois",
                "texte": (
                    "Les ateliers cuisine ont trouvé leur public dès le deuxième mois, grâce aux "
                    "orientations des travailleuses familiales et du CMS. Les activités du "
                    "samedi ont eu plus de mal à démarrer : le créneau de 10 h a été avancé à "
                    "9 h 30 pour laisser l'après-midi libre aux familles.\n\n"
                    "À la demande des Restos bébés, un atelier sur les repas des tout-petits "
                    "est ajouté au programme du trimestre suivant."
                ),
                "chiffres": [
                    ("ateliers cuisine", "8", ""),
                    ("familles participantes", "23", ""),
                    ("repas partagés", "1", ""),
                    ("satisfaction des familles", "4.5", "/ 5"),
                ],
                "photo": False,
            },
            {
                "mois": -3,
                "titre": "Bilan de la première année",
                "texte": (
                    "Un an après le lancement, le projet réunit une quarantaine de familles. "
                    "Deux familles sur trois sont venues orientées par un partenaire : le "
                    "travail avec les travailleuses familiales et les assistantes sociales "
                    "porte ses fruits.\n\n"
                    "Le comité de suivi du mois dernier a décidé de proposer les ateliers "
                    "aussi pendant les vacances scolaires, avec l'école de rugby pour le "
                    "volet sportif."
                ),
                "chiffres": [
                    ("ateliers cuisine", "18", ""),
                    ("familles participantes", "42", ""),
                    ("enfants", "57", ""),
                    ("activité physique parents-enfants", "36", "h"),
                    ("familles orientées par un partenaire", "64", "%"),
                ],
                "photo": True,
            },
        ],
    },
    {
        "titre": STAGES,
        "genre": GenreProjet.ACTION,
        "statut": StatutProjet.EN_COURS,
        "debut_mois": -10,
        "fin_mois": None,
        "description": (
            "Pendant chaque période de vacances scolaires, des stages de découverte (rugby, "
            "judo) pour les enfants et les jeunes du quartier, encadrés par les éducateurs des "
            "clubs et les animateurs du centre. Le centre inscrit les enfants et fait le lien "
            "avec les familles ; les clubs prêtent leurs installations."
        ),
        "diagnostic": "",
        "partenaires": [
            (
                "Sporting Union Agen — école de rugby",
                RESP,
                CO,
                COURT,
                "Les éducateurs sont bénévoles et moins disponibles l'été.",
                "Des enfants du quartier qui rejoignent le club à la rentrée.",
            ),
            (
                "Judo club agenais",
                RESP,
                AL,
                COURT,
                "Le dojo est partagé avec d'autres clubs : des créneaux à négocier.",
                "Faire connaître le club aux familles qui n'osent pas pousser sa porte.",
            ),
        ],
        "bilans": [
            {
                "mois": -2,
                "titre": "Bilan des stages de la saison",
                "texte": (
                    "Quatre stages d'une semaine, complets à chaque fois. Six enfants se sont "
                    "inscrits au club à la suite d'un stage. Pour la saison prochaine, les clubs "
                    "proposent un stage réservé aux 11-14 ans."
                ),
                "chiffres": [
                    ("stages", "4", ""),
                    ("enfants inscrits", "46", ""),
                    ("filles parmi les inscrits", "45", "%"),
                    ("inscriptions au club après un stage", "6", ""),
                ],
                "photo": False,
            }
        ],
    },
]


def _mois(jour, decalage):
    """The first day of the month ``decalage`` months from ``jour``'s."""
    numero = jour.year * 12 + jour.month - 1 + decalage
    return date(numero // 12, numero % 12 + 1, 1)


def _photo():
    """A small PNG of a plate of salad and fruit for the demo's bilan, or None without
    Pillow."""
    try:
        from PIL import Image, ImageDraw
    except ImportError:  # pragma: no cover - WeasyPrint depends on Pillow
        return None
    image = Image.new("RGB", (640, 440), "#f3e9d7")
    dessin = ImageDraw.Draw(image)
    dessin.rectangle((0, 330, 640, 440), fill="#c89b6d")
    dessin.ellipse((170, 60, 470, 360), fill="#ffffff", outline="#d9d4cc", width=6)
    dessin.ellipse((215, 105, 425, 315), fill="#f7f5f0")
    for x, y, r, couleur in [
        (270, 170, 42, "#5e9e3a"),
        (330, 150, 38, "#7cb342"),
        (360, 215, 34, "#e53935"),
        (300, 245, 30, "#fb8c00"),
        (250, 235, 24, "#fdd835"),
        (385, 165, 20, "#e53935"),
    ]:
        dessin.ellipse((x - r, y - r, x + r, y + r), fill=couleur)
    dessin.rectangle((110, 90, 122, 330), fill="#9e9e9e")
    dessin.rectangle((518, 90, 530, 330), fill="#9e9e9e")
    dessin.ellipse((500, 60, 548, 140), fill="#9e9e9e")
    sortie = io.BytesIO()
    image.save(sortie, format="PNG")
    return sortie.getvalue()


def _partenaires(centre):
    for fiche in PARTENAIRES:
        if Partenaire.objects.filter(centre=centre, nom=fiche["nom"]).exists():
            continue
        themes = Theme.objects.filter(slug__in=fiche["themes"])
        partenaire_creer(
            centre=centre, themes=themes, **{k: v for k, v in fiche.items() if k != "themes"}
        )


def _projet(centre, donnees, aujourd_hui, redactrice):
    projet = Projet.objects.filter(centre=centre, titre=donnees["titre"]).first()
    if projet is None:
        projet = projet_creer(
            centre=centre,
            titre=donnees["titre"],
            genre=donnees["genre"],
            statut=donnees["statut"],
            description=donnees["description"],
            diagnostic=donnees["diagnostic"],
            debut=_mois(aujourd_hui, donnees["debut_mois"]),
            fin=_mois(aujourd_hui, donnees["fin_mois"]) if donnees["fin_mois"] else None,
        )
    partenaires = {
        p.nom: p
        for p in Partenaire.objects.filter(
            centre=centre, nom__in=[ligne[0] for ligne in donnees["partenaires"]]
        )
    }
    deja = set(
        ParticipationProjet.objects.filter(projet=projet).values_list("partenaire__nom", flat=True)
    )
    for nom, role, niveau, horizon, freins, leviers in donnees["partenaires"]:
        if nom in deja or nom not in partenaires:
            continue
        participation_ajouter(
            projet=projet,
            partenaire=partenaires[nom],
            role=role,
            niveau=niveau,
            horizon=horizon,
            freins=freins,
            leviers=leviers,
        )
    for donnees_bilan in donnees["bilans"]:
        bilan = Bilan.objects.filter(projet=projet, titre=donnees_bilan["titre"]).first()
        if bilan is None:
            bilan = bilan_creer(
                projet=projet,
                par=redactrice,
                date=_mois(aujourd_hui, donnees_bilan["mois"]),
                titre=donnees_bilan["titre"],
                texte=donnees_bilan["texte"],
                chiffres=[
                    {"libelle": libelle, "valeur": Decimal(valeur), "unite": unite}
                    for libelle, valeur, unite in donnees_bilan["chiffres"]
                ],
            )
        if donnees_bilan["photo"] and not bilan.pieces.exists():
            contenu = _photo()
            if contenu:
                piece_ajouter(
                    bilan=bilan,
                    fichier=SimpleUploadedFile("atelier-cuisine.png", contenu, "image/png"),
                    legende="Atelier cuisine du mercredi : salade de saison et fruits frais",
                )
    return projet


def charger(stdout):
    centre = Centre.objects.get(slug="montanou")
    _partenaires(centre)
    redactrice = User.objects.filter(email=COMPTES[0][0]).first()
    aujourd_hui = timezone.localdate()
    for donnees in PROJETS:
        _projet(centre, donnees, aujourd_hui, redactrice)
    nb_projets = Projet.objects.filter(centre=centre).count()
    nb_bilans = Bilan.objects.filter(projet__centre=centre).count()
    stdout.write(f"  projets et actions : {nb_projets}, {nb_bilans} bilans")
