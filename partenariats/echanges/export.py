"""Writing the directory as a file: CSV (streamed), Excel, and the Excel model to fill in.

Formats: see ``partenariats.echanges``.
"""

import csv
import io
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from partenariats.echanges.colonnes import (
    CLE_IDENTIFIANT,
    COLONNES_CONTACT,
    COLONNES_PARTENAIRE,
    DEBUT_FORMULE,
    ENTETE_ID_PARTENAIRE,
    ENTETE_IDENTIFIANT,
    ENTETE_PARTENAIRE,
    FEUILLE_AIDE,
    FEUILLE_CONTACTS,
    FEUILLE_PARTENAIRES,
    entete_contact,
    oui_non,
)
from partenariats.enums import CategoriePartenaire, Civilite
from partenariats.models import Contact, Partenaire, Theme

CONTENT_TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHAMPS_BOOLEENS = {
    "dans_livret",
    "archive",
    "recoit_invitations_cafe",
    "prescripteur",
    "publier_dans_livret",
}
# Rows read from the database at a time.
TAILLE_LOT = 1000


def _libelles(choices):
    # Once per export: get_FOO_display() would hash every lazy label at each call, which took
    # half of the time of a large export.
    return {code: str(label) for code, label in choices}


def _completer(lot):
    ids = [partenaire["pk"] for partenaire in lot]
    themes, contacts = {}, {}
    liens = (
        Partenaire.themes.through.objects.filter(partenaire_id__in=ids)
        .order_by("theme__ordre", "theme__libelle")
        .values_list("partenaire_id", "theme__libelle")
    )
    for partenaire_id, libelle in liens:
        themes.setdefault(partenaire_id, []).append(libelle)
    champs = ["pk", "partenaire_id", *(champ for champ, _entete in COLONNES_CONTACT)]
    lignes = Contact.objects.filter(partenaire_id__in=ids).order_by("nom", "prenom", "pk")
    for contact in lignes.values(*champs):
        contact[CLE_IDENTIFIANT] = contact["pk"]
        contacts.setdefault(contact["partenaire_id"], []).append(contact)
    for partenaire in lot:
        partenaire["themes"] = ", ".join(themes.get(partenaire["pk"], []))
        partenaire[CLE_IDENTIFIANT] = partenaire["pk"]
        yield partenaire, contacts.get(partenaire["pk"], [])


def partenaires_a_exporter(queryset):
    """(partner, its contacts) as dicts for every partner of ``queryset``, in its order. Three
    queries per thousand partners; no model instance is built, which would take most of the
    time of a large export (prefetch_related makes a queryset per partner and relation)."""
    champs = ["pk", *(champ for champ, _entete in COLONNES_PARTENAIRE if champ != "themes")]
    lot = []
    for partenaire in queryset.values(*champs).iterator(chunk_size=TAILLE_LOT):
        lot.append(partenaire)
        if len(lot) == TAILLE_LOT:
            yield from _completer(lot)
            lot = []
    if lot:
        yield from _completer(lot)


def _valeurs(ligne, colonnes, libelles):
    valeurs = []
    for champ, _entete in colonnes:
        valeur = ligne[champ]
        if champ in libelles:
            valeur = libelles[champ].get(valeur, valeur)
        elif champ in CHAMPS_BOOLEENS:
            valeur = oui_non(valeur)
        elif isinstance(valeur, datetime):
            valeur = timezone.localtime(valeur).date()
        valeurs.append(valeur)
    return valeurs


# The columns of each table as written: the fields, then the identifier that brings an edited
# row back to its fiche (last, out of the way of the columns people edit).
COLONNES_PARTENAIRE_EXPORT = [*COLONNES_PARTENAIRE, (CLE_IDENTIFIANT, ENTETE_IDENTIFIANT)]
COLONNES_CONTACT_EXPORT = [*COLONNES_CONTACT, (CLE_IDENTIFIANT, ENTETE_IDENTIFIANT)]


def _texte_csv(valeur):
    if valeur is None:
        return ""
    if isinstance(valeur, int):
        return str(valeur)
    if isinstance(valeur, date):
        return valeur.strftime("%d/%m/%Y")
    if valeur.startswith(DEBUT_FORMULE):
        return "'" + valeur
    return valeur


def _vider(tampon):
    texte = tampon.getvalue()
    tampon.seek(0)
    tampon.truncate()
    return texte


def export_csv(queryset):
    """The partners of ``queryset`` as CSV, in pieces of bytes for a streaming response.

    A CSV file holds one table: one row per contact, the partner's columns repeated on each
    (one row with empty contact columns for a partner without contact), which is the layout
    the import reads back.
    """
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(
        [entete for _champ, entete in COLONNES_PARTENAIRE_EXPORT]
        + [entete_contact(entete) for _champ, entete in COLONNES_CONTACT_EXPORT]
    )
    yield ("\ufeff" + _vider(tampon)).encode()
    libelles = {
        "categorie": _libelles(CategoriePartenaire.choices),
        "civilite": _libelles(Civilite.choices),
    }
    sans_contact = [None] * len(COLONNES_CONTACT_EXPORT)
    exportes = partenaires_a_exporter(queryset)
    for numero, (partenaire, contacts) in enumerate(exportes, start=1):
        valeurs = _valeurs(partenaire, COLONNES_PARTENAIRE_EXPORT, libelles)
        for contact in contacts or [None]:
            if contact is None:
                du_contact = sans_contact
            else:
                du_contact = _valeurs(contact, COLONNES_CONTACT_EXPORT, libelles)
            ecrivain.writerow([_texte_csv(valeur) for valeur in [*valeurs, *du_contact]])
        if numero % 500 == 0:
            yield _vider(tampon).encode()
    yield _vider(tampon).encode()


def _cellule_xlsx(feuille, valeur):
    if valeur is None or valeur == "":
        # An absent cell is not written at all: cheaper than an empty string.
        return None
    if isinstance(valeur, int):
        return valeur
    if isinstance(valeur, date):
        cellule = WriteOnlyCell(feuille, value=valeur)
        cellule.number_format = "DD/MM/YYYY"
        return cellule
    # Control characters (pasted from another program) are not allowed in the file's XML.
    valeur = ILLEGAL_CHARACTERS_RE.sub("", valeur)
    if valeur.startswith(DEBUT_FORMULE):
        cellule = WriteOnlyCell(feuille, value=valeur)
        cellule.data_type = "s"
        cellule.quotePrefix = True
        return cellule
    return valeur


def _feuille_xlsx(classeur, titre, entetes, largeurs):
    feuille = classeur.create_sheet(titre)
    feuille.freeze_panes = "A2"
    for index, largeur in enumerate(largeurs, start=1):
        feuille.column_dimensions[get_column_letter(index)].width = largeur
    gras = Font(bold=True)
    ligne = []
    for entete in entetes:
        cellule = WriteOnlyCell(feuille, value=entete)
        cellule.font = gras
        ligne.append(cellule)
    feuille.append(ligne)
    return feuille


# Column widths, in characters, in the order of the columns.
LARGEURS_PARTENAIRE = [
    40,
    12,
    28,
    17,
    12,
    30,
    11,
    20,
    16,
    28,
    28,
    40,
    30,
    40,
    30,
    25,
    30,
    10,
    10,
    14,
]
LARGEURS_CONTACT = [10, 18, 20, 28, 30, 16, 12, 12, 12, 14]
LARGEUR_PARTENAIRE = 40
LARGEUR_IDENTIFIANT = 12


def export_xlsx(queryset):
    """The partners of ``queryset`` as an Excel workbook (bytes): sheets Partenaires, Contacts."""
    classeur = Workbook(write_only=True)
    partenaires = _feuille_xlsx(
        classeur,
        FEUILLE_PARTENAIRES,
        [entete for _champ, entete in COLONNES_PARTENAIRE_EXPORT],
        [*LARGEURS_PARTENAIRE, LARGEUR_IDENTIFIANT],
    )
    contacts = _feuille_xlsx(
        classeur,
        FEUILLE_CONTACTS,
        [
            ENTETE_PARTENAIRE,
            *(entete for _champ, entete in COLONNES_CONTACT_EXPORT),
            ENTETE_ID_PARTENAIRE,
        ],
        [LARGEUR_PARTENAIRE, *LARGEURS_CONTACT, LARGEUR_IDENTIFIANT, LARGEUR_IDENTIFIANT + 8],
    )
    libelles = {
        "categorie": _libelles(CategoriePartenaire.choices),
        "civilite": _libelles(Civilite.choices),
    }
    for partenaire, contacts_du_partenaire in partenaires_a_exporter(queryset):
        valeurs = _valeurs(partenaire, COLONNES_PARTENAIRE_EXPORT, libelles)
        partenaires.append([_cellule_xlsx(partenaires, v) for v in valeurs])
        for contact in contacts_du_partenaire:
            valeurs = [
                partenaire["nom"],
                *_valeurs(contact, COLONNES_CONTACT_EXPORT, libelles),
                partenaire["pk"],
            ]
            contacts.append([_cellule_xlsx(contacts, v) for v in valeurs])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def modele_xlsx():
    """The file to fill in for an import: the headers, one example row that imports as it is,
    and a sheet "Aide" with the accepted categories and themes."""
    classeur = Workbook(write_only=True)
    entetes = [entete for _champ, entete in COLONNES_PARTENAIRE] + [
        entete_contact(entete) for champ, entete in COLONNES_CONTACT if champ != "desinscrit_le"
    ]
    largeurs = [*LARGEURS_PARTENAIRE, *LARGEURS_CONTACT[:-1]]
    feuille = _feuille_xlsx(classeur, FEUILLE_PARTENAIRES, entetes, largeurs)
    exemple = [
        "Association Les Lilas",
        "ALL",
        str(CategoriePartenaire.ASSOCIATION.label),
        "47100012545003",
        "W471000123",
        "3 rue des Lilas",
        "47000",
        "Agen",
        "05 53 00 00 00",
        "contact@leslilas.example",
        "https://leslilas.example",
        _("Accompagner les habitants du quartier dans leurs démarches."),
        _("Familles, jeunes de 11 à 17 ans"),
        _("Permanences d'accès aux droits, aide aux devoirs"),
        _("Du lundi au vendredi, 9 h – 12 h et 14 h – 17 h"),
        _("Quartier de Montanou"),
        ", ".join(str(t.libelle) for t in Theme.objects.filter(slug__in=["famille", "logement"])),
        "oui",
        "non",
        None,
        str(Civilite.MADAME.label),
        "Marie",
        "Martin",
        _("Directrice"),
        "marie.martin@leslilas.example",
        "05 53 00 00 01",
        "oui",
        "non",
        "oui",
    ]
    feuille.append([_cellule_xlsx(feuille, valeur) for valeur in exemple])

    aide = _feuille_xlsx(classeur, FEUILLE_AIDE, [_("Comment remplir ce fichier")], [110])
    lignes = [
        _("Une ligne par partenaire. Seuls le nom et la catégorie sont obligatoires."),
        _(
            "Plusieurs contacts pour un même partenaire : une ligne par contact, avec le même "
            "nom de partenaire ; les autres colonnes du partenaire peuvent rester vides."
        ),
        _("Thèmes : plusieurs thèmes séparés par des virgules."),
        _(
            "Colonnes oui / non : dans le livret, archivé, invitations cafés, prescripteur, "
            "publié dans le livret (pour un contact)."
        ),
        _("Dates : jj/mm/aaaa."),
        _(
            "Un fichier exporté depuis l'annuaire porte une colonne Identifiant : chaque "
            "ligne y met à jour la fiche dont elle vient. Ne modifiez pas cette colonne."
        ),
        "",
        _("Catégories acceptées :"),
        *[str(label) for label in CategoriePartenaire.labels],
        "",
        _("Thèmes acceptés :"),
        *[theme.libelle for theme in Theme.objects.order_by("ordre", "libelle")],
    ]
    for ligne in lignes:
        aide.append([_cellule_xlsx(aide, ligne)])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()
