"""Demo partnerships of Montanou (see ``manage.py demo``): every type, level of involvement,
horizon and way of building, two declared without the centre being consulted (source 05),
one ending within 60 days, one still "actif" past its end date, and an orientation
partnership with its signed protocol (a PDF made here with ``commun.pdf``) and two prescribers.
Plus one partnership at Tapie, so that another centre has its own.

Dates are relative to the day the demo is loaded, and loading again sets them again: "ends
within 60 days" stays true. Nothing else is created twice (a partnership is known by its
centre, partner and purpose; a protocol by its partnership).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from commun.pdf import pdf_rendre
from partenariats.enums import Construction as C
from partenariats.enums import Horizon as H
from partenariats.enums import NiveauImplication as N
from partenariats.enums import StatutPartenariat as S
from partenariats.enums import TypePartenariat as T
from partenariats.models import Contact, Partenaire, Partenariat, ProtocoleOrientation
from partenariats.services.liens import (
    partenariat_creer,
    partenariat_modifier,
    protocole_enregistrer,
)
from reseau.models import Centre, User

DIRECTRICE = "directrice@montanou.demo"
ANIMATEUR = "animateur@montanou.demo"


@dataclass
class Lien:
    partenaire: str
    type: str
    niveau: str
    horizon: str
    objet: str
    construction: str
    debut: int | None  # days from today (negative: in the past)
    fin: int | None
    statut: str = S.ACTIF
    referent: str | None = None
    description: str = ""
    commentaire: str = ""
    # A status the partnership went through before its current one (its history shows it).
    statut_avant: str | None = None


CMS = "Centre médico-social de Montanou"
OBJET_CMS = "Orientation des familles suivies vers les ateliers parents-enfants et cuisine"

MONTANOU = [
    Lien(
        CMS,
        T.ORIENTATION,
        N.ALLIE,
        H.LONG,
        OBJET_CMS,
        C.CO_CONSTRUIT,
        -700,
        400,
        referent=DIRECTRICE,
        description=(
            "Les assistantes sociales et la puéricultrice de PMI orientent des familles vers "
            "les ateliers du centre\u00a0; un point trimestriel réunit les deux équipes."
        ),
        commentaire="Protocole écrit ensemble lors du renouvellement du projet social.",
    ),
    Lien(
        "Mission locale de l'Agenais, de l'Albret et du Confluent",
        T.ORIENTATION,
        N.ALLIE,
        H.MOYEN,
        "Orientation des 16-25 ans vers l'aide aux démarches et les chantiers loisirs",
        C.REJOINT,
        -300,
        None,
        referent=ANIMATEUR,
    ),
    Lien(
        "France Services Agen Montanou",
        T.ORIENTATION,
        N.INFORMATION,
        H.MOYEN,
        "Orientation vers les ateliers numériques du centre",
        C.REJOINT,
        30,
        None,
        statut=S.ENVISAGE,
        referent=ANIMATEUR,
    ),
    Lien(
        "Sporting Union Agen — école de rugby",
        T.ACTION,
        N.ALLIE,
        H.COURT,
        "Stages sportifs des vacances scolaires pour les 8-14 ans",
        C.CO_CONSTRUIT,
        -150,
        45,
        referent=ANIMATEUR,
        description="Deux semaines de stage par période de vacances, encadrées par le club.",
    ),
    Lien(
        "Judo club agenais",
        T.ACTION,
        N.INFORMATION,
        H.COURT,
        "Initiation au judo pendant les vacances de printemps",
        C.REJOINT,
        -400,
        -380,
        statut=S.TERMINE,
        statut_avant=S.ACTIF,
    ),
    Lien(
        "Conseil de quartier Montanou — Pin",
        T.ACTION,
        N.CO_PORTEUR,
        H.COURT,
        "Immeuble en fête, avec les habitants de l'avenue de Montanou",
        C.REJOINT,
        -60,
        75,
        referent=DIRECTRICE,
        description="Le centre prépare la fête avec le conseil de quartier, qui la porte.",
    ),
    Lien(
        "Agen Habitat",
        T.ACTION,
        N.ALLIE,
        H.MOYEN,
        "Permanences habitat au pied des immeubles",
        C.REJOINT,
        -240,
        120,
        statut=S.EN_PAUSE,
        statut_avant=S.ACTIF,
        referent=ANIMATEUR,
        commentaire="Reprise prévue après les travaux de réhabilitation.",
    ),
    Lien(
        "Médiathèque Lacépède",
        T.ACTION,
        N.INFORMATION,
        H.COURT,
        "Lectures partagées au centre pendant l'été",
        C.CO_CONSTRUIT,
        -240,
        -20,
        referent=ANIMATEUR,
    ),
    Lien(
        "Pharmacie de Montanou",
        T.ACTION,
        N.INFORMATION,
        H.LONG,
        "Affichage et relais des informations du centre auprès de la clientèle",
        C.REJOINT,
        -500,
        None,
    ),
    Lien(
        "Maison de santé pluriprofessionnelle de Montanou",
        T.PROJET,
        N.CO_PORTEUR,
        H.LONG,
        "Projet alimentation «\u00a0Bien dans son assiette, bien dans ses baskets\u00a0»",
        C.CO_CONSTRUIT,
        -200,
        900,
        referent=DIRECTRICE,
        description=(
            "Projet bâti à partir du diagnostic partagé du quartier, avec les travailleuses "
            "familiales et les professionnels de santé."
        ),
    ),
    Lien(
        "Épicerie solidaire L'Escale",
        T.PROJET,
        N.CO_PORTEUR,
        H.MOYEN,
        "Ateliers cuisine à petit budget",
        C.CO_CONSTRUIT,
        60,
        420,
        statut=S.ENVISAGE,
        referent=ANIMATEUR,
    ),
    Lien(
        "Ville d'Agen — politique de la ville",
        T.CONCERTATION,
        N.INFORMATION,
        H.LONG,
        "Contrat de ville\u00a0: groupe technique du quartier Montanou",
        C.DECLARE,
        -420,
        600,
        referent=DIRECTRICE,
        commentaire=(
            "Le centre a découvert qu'il figurait comme partenaire dans une fiche action du "
            "contrat de ville sans avoir été consulté. Un rendez-vous avec la cheffe de projet "
            "a permis de préciser son rôle."
        ),
    ),
    Lien(
        "Caisse d'allocations familiales de Lot-et-Garonne",
        T.CONCERTATION,
        N.INFORMATION,
        H.LONG,
        "Comité départemental des services aux familles",
        C.DECLARE,
        -365,
        None,
        commentaire=(
            "Convocation reçue après coup\u00a0: le centre était déjà cité comme structure "
            "relais dans le schéma départemental, sans concertation en amont."
        ),
    ),
    Lien(
        "Programme de réussite éducative d'Agen",
        T.CONCERTATION,
        N.ALLIE,
        H.MOYEN,
        "Cellule éducative du PRE, une réunion par mois",
        C.CO_CONSTRUIT,
        -330,
        365,
        referent=ANIMATEUR,
    ),
    Lien(
        "Collège Jasmin",
        T.CONCERTATION,
        N.ALLIE,
        H.COURT,
        "Groupe de travail sur le décrochage scolaire",
        C.CO_CONSTRUIT,
        -600,
        -200,
        statut=S.TERMINE,
        referent=DIRECTRICE,
    ),
]

TAPIE = [
    Lien(
        "Agen Habitat",
        T.ACTION,
        N.ALLIE,
        H.COURT,
        "Jardins partagés au pied des immeubles de la Tapie",
        C.CO_CONSTRUIT,
        -90,
        180,
        referent=DIRECTRICE,
    ),
]

PRESCRIPTEURS = ["Marty", "Sempé"]


def _jour(decalage):
    return None if decalage is None else timezone.localdate() + timedelta(days=decalage)


def _charger_centre(centre, liens, users):
    directrice = users[DIRECTRICE]
    partenariats = {}
    for lien in liens:
        partenaire = Partenaire.objects.get(centre=centre, nom=lien.partenaire)
        debut, fin = _jour(lien.debut), _jour(lien.fin)
        existant = Partenariat.objects.filter(
            centre=centre, partenaire=partenaire, objet=lien.objet
        ).first()
        if existant is not None:
            # Dates follow the day of loading (no history entry: nobody changed them).
            Partenariat.objects.filter(pk=existant.pk).update(debut=debut, fin=fin)
            partenariats[lien.objet] = existant
            continue
        partenariat = partenariat_creer(
            centre=centre,
            partenaire=partenaire,
            par=directrice,
            type=lien.type,
            niveau=lien.niveau,
            horizon=lien.horizon,
            objet=lien.objet,
            description=lien.description,
            construction=lien.construction,
            construction_commentaire=lien.commentaire,
            debut=debut,
            fin=fin,
            statut=lien.statut_avant or lien.statut,
            referent=users.get(lien.referent),
        )
        if lien.statut_avant:
            partenariat = partenariat_modifier(
                partenariat=partenariat, par=users[ANIMATEUR], statut=lien.statut
            )
        partenariats[lien.objet] = partenariat
    return partenariats


def _protocole(centre, partenariat, directrice):
    if ProtocoleOrientation.objects.filter(partenariat=partenariat).exists():
        return
    partenaire = partenariat.partenaire
    prescripteurs = list(
        Contact.objects.filter(partenaire=partenaire, nom__in=PRESCRIPTEURS).order_by("nom")
    )
    signataire = (
        Contact.objects.filter(partenaire=partenaire).exclude(nom__in=PRESCRIPTEURS).first()
    )
    signe_le = partenariat.debut
    valide_jusqu_au = signe_le + timedelta(days=3 * 365)
    pdf = pdf_rendre(
        "partenariats/pdf/protocole_demo.html",
        {
            "centre": centre,
            "partenaire": partenaire,
            "signataire": signataire,
            "prescripteurs": prescripteurs,
            "signe_le": signe_le,
            "valide_jusqu_au": valide_jusqu_au,
        },
    )
    protocole_enregistrer(
        partenariat=partenariat,
        par=directrice,
        signe_le=signe_le,
        valide_jusqu_au=valide_jusqu_au,
        document=ContentFile(pdf, name="Protocole d'orientation CMS Montanou (signé).pdf"),
        prescripteurs=prescripteurs,
    )


def charger(stdout):
    users = {user.email: user for user in User.objects.filter(email__in=[DIRECTRICE, ANIMATEUR])}
    montanou = Centre.objects.get(slug="montanou")
    partenariats = _charger_centre(montanou, MONTANOU, users)
    _protocole(montanou, partenariats[OBJET_CMS], users[DIRECTRICE])
    _charger_centre(Centre.objects.get(slug="tapie"), TAPIE, users)
    nb = Partenariat.objects.filter(centre__slug__in=["montanou", "tapie"]).count()
    stdout.write(f"  partenariats : {nb} partenariats, 1 protocole d'orientation signé")
