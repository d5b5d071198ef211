"""Export and import of the partner directory as CSV and Excel files.

The formats, chosen so that an export can be edited in a spreadsheet and imported back:

- Excel (.xlsx): a sheet "Partenaires", one row per partner, and a sheet "Contacts", one row per
  contact with its partner's name in the first column.
- CSV holds one table only: partners, with a "contacts" column that sums them up for reading.
  That column is ignored on import; contacts travel with Excel or with the "contact ..." columns.
  UTF-8 with a BOM and ";" between cells: what French Excel opens without an import wizard.
- Import reads the export's headers (capitals, accents and punctuation do not matter) plus
  "contact ..." columns, one contact per row: rows naming the same partner add contacts to it. A
  sheet "Contacts" laid out as exported is read too. Nothing is merged into existing partners:
  every partner of the file is created, and likely duplicates are shown before confirming.
- A cell starting with = + - @ could run as a formula in a spreadsheet (CSV injection). CSV cells
  get a leading apostrophe; Excel cells are typed as text and carry Excel's own quote-prefix
  mark, which shows nothing. The import drops such an apostrophe again.
"""

import codecs
import csv
import difflib
import io
import math
import re
import secrets
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from simple_history.utils import bulk_create_with_history

from partenariats.enums import CategoriePartenaire, Civilite
from partenariats.forms_echanges import ContactImportForm, PartenaireImportForm
from partenariats.models import Contact, Partenaire, Theme
from partenariats.selectors import SEUIL_SIMILARITE, doublons_probables, nom_normalise

# Headers are a file format, not interface text: they must not change with the language.
COLONNES_PARTENAIRE = [
    ("nom", "Nom"),
    ("sigle", "Sigle"),
    ("categorie", "Catégorie"),
    ("siret", "SIRET"),
    ("rna", "RNA"),
    ("adresse", "Adresse"),
    ("code_postal", "Code postal"),
    ("commune", "Commune"),
    ("telephone", "Téléphone"),
    ("email", "Email"),
    ("site_web", "Site web"),
    ("missions", "Missions"),
    ("publics", "Publics"),
    ("services", "Services"),
    ("horaires", "Horaires"),
    ("territoire", "Territoire"),
    ("themes", "Thèmes"),
    ("dans_livret", "Dans le livret"),
    ("archive", "Archivé"),
    ("fiche_confirmee_le", "Fiche confirmée le"),
]
COLONNES_CONTACT = [
    ("civilite", "Civilité"),
    ("prenom", "Prénom"),
    ("nom", "Nom"),
    ("fonction", "Fonction"),
    ("email", "Email"),
    ("telephone", "Téléphone"),
    ("recoit_invitations_cafe", "Invitations cafés"),
    ("prescripteur", "Prescripteur"),
    ("desinscrit_le", "Désinscrit le"),
]
# In a partners sheet, contact columns carry a prefix ("Contact nom"); a contacts sheet, where
# the first column names the partner, may leave it out.
PREFIXE_CONTACT = "Contact "
CLE_CONTACT = "contact:"
ENTETE_PARTENAIRE = "Partenaire"
CLE_PARTENAIRE = "partenaire"
ENTETE_RESUME_CONTACTS = "Contacts"
FEUILLE_PARTENAIRES = "Partenaires"
FEUILLE_CONTACTS = "Contacts"
FEUILLE_AIDE = "Aide"


def entete_contact(entete):
    """The header of a contact column in a partners sheet: "Prénom" → "Contact prénom"."""
    return PREFIXE_CONTACT + entete[:1].lower() + entete[1:]


# Other spellings met in real files, by normalised header.
ALIAS = {
    "partenaire": "nom",
    "nom du partenaire": "nom",
    "raison sociale": "nom",
    "n siret": "siret",
    "numero siret": "siret",
    "cp": "code_postal",
    "tel": "telephone",
    "e mail": "email",
    "courriel": "email",
    "mail": "email",
    "site internet": "site_web",
    "theme": "themes",
    "livret": "dans_livret",
    "contact e mail": "contact:email",
    "contact courriel": "contact:email",
    "contact mail": "contact:email",
    "contact tel": "contact:telephone",
}

DEBUT_FORMULE = ("=", "+", "-", "@", "\t", "\r")
OUI = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
NON = {"non", "n", "no", "faux", "false", "0"}
CHAMPS_DATE = {"fiche_confirmee_le", "contact:desinscrit_le"}
CHAMPS_TELEPHONE = {"telephone", "contact:telephone"}

MAX_LIGNES = 5000
# A 5 MB .xlsx is a zip; its declared content is capped so that a crafted file cannot fill
# the memory once decompressed.
TAILLE_MAX_DECOMPRESSEE = 80 * 1024 * 1024
TAILLE_LOT = 1000

DOSSIER_DEPOTS = "imports"
DUREE_DEPOT = timedelta(hours=2)
SEL_DEPOT = "partenariats.echanges.depot"

CONTENT_TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def normaliser(texte):
    """A header or label as compared: no accents, no capitals, words split on punctuation."""
    sans_accents = unicodedata.normalize("NFKD", str(texte)).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", sans_accents.lower()))


def _oui_non(valeur):
    return "oui" if valeur else "non"


# --- Export ------------------------------------------------------------------------------------


CHAMPS_BOOLEENS = {"dans_livret", "archive", "recoit_invitations_cafe", "prescripteur"}


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
    champs = ["partenaire_id", *(champ for champ, _entete in COLONNES_CONTACT)]
    lignes = Contact.objects.filter(partenaire_id__in=ids).order_by("nom", "prenom", "pk")
    for contact in lignes.values(*champs):
        contacts.setdefault(contact["partenaire_id"], []).append(contact)
    for partenaire in lot:
        partenaire["themes"] = ", ".join(themes.get(partenaire["pk"], []))
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
            valeur = _oui_non(valeur)
        elif isinstance(valeur, datetime):
            valeur = timezone.localtime(valeur).date()
        valeurs.append(valeur)
    return valeurs


def _resume_contacts(contacts):
    resumes = []
    for contact in contacts:
        nom = " ".join(partie for partie in (contact["prenom"], contact["nom"]) if partie)
        parties = [nom, contact["fonction"], contact["email"], contact["telephone"]]
        resumes.append(", ".join(partie for partie in parties if partie))
    return " | ".join(resumes)


def _texte_csv(valeur):
    if valeur is None:
        return ""
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
    """The partners of ``queryset`` as CSV, in pieces of bytes for a streaming response."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow([entete for _champ, entete in COLONNES_PARTENAIRE] + [ENTETE_RESUME_CONTACTS])
    yield ("\ufeff" + _vider(tampon)).encode()
    libelles = {"categorie": _libelles(CategoriePartenaire.choices)}
    exportes = partenaires_a_exporter(queryset)
    for numero, (partenaire, contacts) in enumerate(exportes, start=1):
        valeurs = [
            *_valeurs(partenaire, COLONNES_PARTENAIRE, libelles),
            _resume_contacts(contacts),
        ]
        ecrivain.writerow([_texte_csv(valeur) for valeur in valeurs])
        if numero % 500 == 0:
            yield _vider(tampon).encode()
    yield _vider(tampon).encode()


def _cellule_xlsx(feuille, valeur):
    if valeur is None or valeur == "":
        # An absent cell is not written at all: cheaper than an empty string.
        return None
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
LARGEURS_CONTACT = [40, 10, 18, 20, 28, 30, 16, 12, 12, 14]


def export_xlsx(queryset):
    """The partners of ``queryset`` as an Excel workbook (bytes): sheets Partenaires, Contacts."""
    classeur = Workbook(write_only=True)
    partenaires = _feuille_xlsx(
        classeur,
        FEUILLE_PARTENAIRES,
        [entete for _champ, entete in COLONNES_PARTENAIRE],
        LARGEURS_PARTENAIRE,
    )
    contacts = _feuille_xlsx(
        classeur,
        FEUILLE_CONTACTS,
        [ENTETE_PARTENAIRE] + [entete for _champ, entete in COLONNES_CONTACT],
        LARGEURS_CONTACT,
    )
    libelles = {
        "categorie": _libelles(CategoriePartenaire.choices),
        "civilite": _libelles(Civilite.choices),
    }
    for partenaire, contacts_du_partenaire in partenaires_a_exporter(queryset):
        valeurs = _valeurs(partenaire, COLONNES_PARTENAIRE, libelles)
        partenaires.append([_cellule_xlsx(partenaires, v) for v in valeurs])
        for contact in contacts_du_partenaire:
            valeurs = [partenaire["nom"], *_valeurs(contact, COLONNES_CONTACT, libelles)]
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
    largeurs = [*LARGEURS_PARTENAIRE, *LARGEURS_CONTACT[1:-1]]
    feuille = _feuille_xlsx(classeur, FEUILLE_PARTENAIRES, entetes, largeurs)
    exemple = [
        "Association Les Lilas",
        "ALL",
        str(CategoriePartenaire.ASSOCIATION.label),
        "47100012345008",
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
    ]
    feuille.append([_cellule_xlsx(feuille, valeur) for valeur in exemple])

    aide = _feuille_xlsx(classeur, FEUILLE_AIDE, [_("Comment remplir ce fichier")], [110])
    lignes = [
        _("Une ligne par partenaire. Seuls le nom et la catégorie sont obligatoires."),
        _(
            "Plusieurs contacts pour un même partenaire : une ligne par contact, avec le même "
            "nom de partenaire ; les autres colonnes du partenaire peuvent rester vides."
        ),
        _("Thèmes : plusieurs thèmes séparés par des virgules."),
        _("Colonnes oui / non : dans le livret, archivé, invitations cafés, prescripteur."),
        _("Dates : jj/mm/aaaa."),
        "",
        _("Catégories acceptées :"),
        *[str(label) for label in CategoriePartenaire.labels],
        "",
        _("Thèmes acceptés :"),
        *[theme.libelle for theme in Theme.objects.order_by("ordre", "libelle")],
    ]
    for ligne in lignes:
        aide.append([_cellule_xlsx(aide, ligne)])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


# --- Reading a file ------------------------------------------------------------------------------


class FichierIllisible(Exception):
    """The file as a whole cannot be read; the message says why, for the person who sent it."""


@dataclass
class Feuille:
    nom: str
    # (row number as a spreadsheet shows it, cells)
    lignes: list


def _decoder(contenu):
    if contenu.startswith(codecs.BOM_UTF8):
        encodages = ["utf-8-sig"]
    elif contenu.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        encodages = ["utf-16"]
    elif b"\x00" in contenu:
        raise FichierIllisible(
            _("Ce fichier n'est pas un fichier texte CSV : déposez un fichier .csv ou .xlsx.")
        )
    else:
        # Without a BOM: UTF-8 if it decodes, else what French Windows writes.
        encodages = ["utf-8", "cp1252"]
    for encodage in encodages:
        try:
            return contenu.decode(encodage)
        except UnicodeDecodeError:
            continue
    raise FichierIllisible(
        _(
            "L'encodage de ce fichier CSV n'est pas reconnu : enregistrez-le depuis votre "
            "tableur au format « CSV UTF-8 »."
        )
    )


def _lire_csv(contenu):
    texte = _decoder(contenu)
    premiere, _fin, suite = texte.partition("\n")
    if premiere.lower().startswith("sep=") and len(premiere.strip()) == 5:
        # Excel's own hint ("sep=;"), a line that Excel hides and does not number.
        separateur, texte = premiere[4], suite
    else:
        premiere = next((ligne for ligne in texte.splitlines() if ligne.strip()), "")
        # French spreadsheets write ";", others "," and Excel's Unicode text a tab.
        separateur = max([";", ",", "\t"], key=premiere.count)
    lignes = []
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    numero = 0
    try:
        for numero, cellules in enumerate(lecteur, start=1):
            lignes.append((numero, cellules))
            if numero > MAX_LIGNES + 1:
                raise FichierIllisible(_trop_de_lignes())
    except csv.Error as exc:
        raise FichierIllisible(
            _("Le fichier CSV est mal formé vers la ligne %(ligne)s.") % {"ligne": numero + 1}
        ) from exc
    return Feuille("", lignes)


def _trop_de_lignes():
    return _("Le fichier compte plus de %(max)s lignes : découpez-le en plusieurs fichiers.") % {
        "max": MAX_LIGNES
    }


def _classeur_illisible():
    return FichierIllisible(
        _(
            "Ce classeur Excel est illisible ou abîmé : ouvrez-le dans votre tableur et "
            "enregistrez-le de nouveau au format .xlsx."
        )
    )


def _lire_xlsx(contenu):
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            taille = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise _classeur_illisible() from exc
    if taille > TAILLE_MAX_DECOMPRESSEE:
        raise FichierIllisible(
            _("Ce classeur est trop volumineux : découpez-le en plusieurs fichiers.")
        )
    # openpyxl warns about what it does not read (data validation, conditional formatting...);
    # only the values matter here. It raises many kinds of errors on a damaged file.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
        except Exception as exc:
            raise _classeur_illisible() from exc
        try:
            return _feuilles_xlsx(classeur)
        except FichierIllisible:
            raise
        except Exception as exc:
            raise _classeur_illisible() from exc
        finally:
            classeur.close()


def _feuilles_xlsx(classeur):
    if not classeur.worksheets:
        raise _classeur_illisible()
    par_nom = {normaliser(feuille.title): feuille for feuille in classeur.worksheets}
    source_partenaires = par_nom.get("partenaires") or classeur.worksheets[0]
    source_contacts = par_nom.get("contacts")
    if source_contacts is source_partenaires:
        source_contacts = None
    feuilles = []
    total = 0
    for source in (source_partenaires, source_contacts):
        if source is None:
            feuilles.append(None)
            continue
        # Some programs write a wrong size for the sheet; read what is really there.
        source.reset_dimensions()
        lignes = []
        for numero, cellules in enumerate(source.iter_rows(values_only=True), start=1):
            if any(cellule not in (None, "") for cellule in cellules):
                total += 1
                if total > MAX_LIGNES + 2:
                    raise FichierIllisible(_trop_de_lignes())
                lignes.append((numero, list(cellules)))
        feuilles.append(Feuille(source.title, lignes))
    return feuilles[0], feuilles[1]


def lire_fichier(contenu, nom_fichier):
    """(partners sheet, contacts sheet or None) of a CSV or .xlsx file, told by its content."""
    if contenu.startswith(b"PK\x03\x04"):
        return _lire_xlsx(contenu)
    if contenu.startswith(b"\xd0\xcf\x11\xe0"):
        raise FichierIllisible(
            _(
                "Les classeurs Excel 97-2003 (.xls) ne sont pas pris en charge : enregistrez le "
                "fichier au format « Classeur Excel (.xlsx) » ou « CSV UTF-8 »."
            )
        )
    if nom_fichier.lower().endswith(".xlsx"):
        raise _classeur_illisible()
    return _lire_csv(contenu), None


# --- Checking every row -------------------------------------------------------------------------


@dataclass
class Erreur:
    ligne: int
    colonne: str
    message: str
    feuille: str = ""


@dataclass(eq=False)
class ContactLu:
    ligne: int
    form: ContactImportForm
    feuille: str = ""

    @property
    def contact(self):
        return self.form.instance


@dataclass(eq=False)
class PartenaireLu:
    ligne: int
    form: PartenaireImportForm
    themes: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    # Partners of the centre that are probably the same organisation.
    doublons: list = field(default_factory=list)
    # Other partners of the same file that are probably the same organisation.
    doublons_fichier: list = field(default_factory=list)

    @property
    def partenaire(self):
        return self.form.instance


@dataclass(eq=False)
class Analyse:
    nom_fichier: str
    partenaires: list
    erreurs: list
    colonnes_ignorees: list

    @property
    def valide(self):
        return not self.erreurs and bool(self.partenaires)

    @property
    def nb_contacts(self):
        return sum(len(lu.contacts) for lu in self.partenaires)

    @property
    def nb_doublons(self):
        return sum(1 for lu in self.partenaires if lu.doublons or lu.doublons_fichier)


def _index_entetes():
    index = {}
    for champ, entete in COLONNES_PARTENAIRE:
        index[normaliser(Partenaire._meta.get_field(champ).verbose_name)] = champ
        index[normaliser(entete)] = champ
    for champ, entete in COLONNES_CONTACT:
        cle = CLE_CONTACT + champ
        verbose = Contact._meta.get_field(champ).verbose_name
        index[normaliser(PREFIXE_CONTACT + str(verbose))] = cle
        index[normaliser(entete_contact(entete))] = cle
    index.update(ALIAS)
    return index


def _colonnes(feuille, *, de_contacts):
    """{column index: key} and the headers as written, from the first non-empty row; the
    header row is removed from ``feuille.lignes``. Unknown headers are returned to be shown."""
    while feuille.lignes and not any(c not in (None, "") for c in feuille.lignes[0][1]):
        feuille.lignes.pop(0)
    if not feuille.lignes:
        return {}, {}, []
    _numero, cellules = feuille.lignes.pop(0)
    index = _index_entetes()
    colonnes, entetes, ignorees = {}, {}, []
    for position, brut in enumerate(cellules):
        entete = str(brut).strip() if brut is not None else ""
        if not entete:
            continue
        cle_normale = normaliser(entete)
        if de_contacts:
            if cle_normale == CLE_PARTENAIRE:
                cle = CLE_PARTENAIRE
            else:
                cle = index.get(normaliser(PREFIXE_CONTACT + entete)) or index.get(cle_normale)
                if cle and not cle.startswith(CLE_CONTACT):
                    cle = None
        else:
            cle = index.get(cle_normale)
        if cle is None:
            ignorees.append(entete)
            continue
        if cle in entetes:
            raise FichierIllisible(
                _("Les colonnes « %(a)s » et « %(b)s » disent la même chose : gardez-en une.")
                % {"a": entetes[cle], "b": entete}
            )
        colonnes[position] = cle
        entetes[cle] = entete
    return colonnes, entetes, ignorees


def _valeur(cle, brut):
    """A cell as the forms expect it: text without surrounding spaces, dates kept as dates."""
    if brut is None:
        return ""
    if isinstance(brut, bool):
        return _oui_non(brut)
    if isinstance(brut, float) and brut.is_integer():
        brut = int(brut)
    if isinstance(brut, datetime | date):
        if cle == "fiche_confirmee_le" and isinstance(brut, datetime):
            return brut.date()
        if cle in CHAMPS_DATE:
            return brut
        return brut.strftime("%d/%m/%Y")
    if isinstance(brut, int):
        texte = str(brut)
        # A number typed in a spreadsheet loses its leading zeros.
        if cle == "code_postal":
            return texte.zfill(5)
        if cle == "siret":
            return texte.zfill(14)
        if cle in CHAMPS_TELEPHONE and len(texte) == 9:
            return "0" + texte
        return texte
    texte = str(brut).strip()
    if texte.startswith("'") and texte[1:].startswith(DEBUT_FORMULE):
        texte = texte[1:]
    return texte


def _booleen(valeur, defaut):
    """(value, error message or None) of a oui/non cell; an empty cell gives ``defaut``."""
    if valeur == "":
        return defaut, None
    mot = normaliser(valeur)
    if mot in OUI:
        return True, None
    if mot in NON:
        return False, None
    return defaut, _("« %(valeur)s » n'est pas une réponse attendue : écrivez oui ou non.") % {
        "valeur": valeur
    }


def _adresse_valide(email):
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


@dataclass
class _Groupe:
    """The rows of the partners sheet that name one partner."""

    ligne: int
    valeurs: dict
    contacts: list = field(default_factory=list)


class _Analyseur:
    def __init__(self, *, nom_fichier, centre):
        self.nom_fichier = nom_fichier
        self.centre = centre
        self.erreurs = []
        self.entetes, self.entetes_contacts = {}, {}
        # (sheet, header): position, so that a row's errors read from left to right.
        self.positions = {}
        themes = list(Theme.objects.order_by("ordre", "libelle"))
        self.themes_par_slug = {theme.slug: theme for theme in themes}
        self.champ_themes = PartenaireImportForm.champ_themes(themes)
        self.theme_par_nom = {}
        for theme in themes:
            self.theme_par_nom[normaliser(theme.slug)] = theme.slug
            self.theme_par_nom[normaliser(theme.libelle)] = theme.slug
        self.categorie_par_nom = {}
        for code, label in CategoriePartenaire.choices:
            self.categorie_par_nom[normaliser(code)] = code
            self.categorie_par_nom[normaliser(label)] = code
        self.civilite_par_nom = {"mr": Civilite.MONSIEUR, "m": Civilite.MONSIEUR}
        for code, label in Civilite.choices:
            self.civilite_par_nom[normaliser(code)] = code
            self.civilite_par_nom[normaliser(label)] = code

    def erreur(self, ligne, colonne, message, feuille=""):
        self.erreurs.append(Erreur(ligne, colonne, str(message), feuille))

    def analyser(self, feuille_partenaires, feuille_contacts):
        colonnes, self.entetes, ignorees = _colonnes(feuille_partenaires, de_contacts=False)
        for position, cle in colonnes.items():
            self.positions["", self.entetes[cle]] = position
        if "nom" not in colonnes.values():
            raise FichierIllisible(
                _(
                    "La colonne « nom » est introuvable : la première ligne du fichier doit "
                    "donner les noms des colonnes, comme dans le modèle."
                )
            )
        groupes = self._grouper(feuille_partenaires, colonnes)
        if feuille_contacts is not None:
            colonnes_c, self.entetes_contacts, ignorees_c = _colonnes(
                feuille_contacts, de_contacts=True
            )
            ignorees += [f"{feuille_contacts.nom} › {entete}" for entete in ignorees_c]
            for position, cle in colonnes_c.items():
                self.positions[feuille_contacts.nom, self.entetes_contacts[cle]] = position
            if colonnes_c:
                self._rattacher_contacts(feuille_contacts, colonnes_c, groupes)
        partenaires = [self._valider(groupe) for groupe in groupes.values()]
        if not partenaires:
            raise FichierIllisible(_("Le fichier ne contient aucune ligne de partenaire."))
        self.erreurs.sort(
            key=lambda e: (
                e.feuille != "",
                e.feuille,
                e.ligne,
                self.positions.get((e.feuille, e.colonne), len(self.positions)),
            )
        )
        return Analyse(self.nom_fichier, partenaires, self.erreurs, ignorees)

    def _grouper(self, feuille, colonnes):
        groupes = {}
        for numero, cellules in feuille.lignes:
            valeurs = {
                cle: _valeur(cle, cellules[position] if position < len(cellules) else None)
                for position, cle in colonnes.items()
            }
            if not any(v != "" for v in valeurs.values()):
                continue
            du_partenaire = {k: v for k, v in valeurs.items() if not k.startswith(CLE_CONTACT)}
            du_contact = {
                k.removeprefix(CLE_CONTACT): v
                for k, v in valeurs.items()
                if k.startswith(CLE_CONTACT)
            }
            avec_contact = any(v != "" for v in du_contact.values())
            cle = " ".join(str(valeurs["nom"]).split()).casefold()
            if not cle and avec_contact and not any(v != "" for v in du_partenaire.values()):
                self.erreur(
                    numero,
                    self._colonne_partenaire("nom"),
                    _("Indiquez le nom du partenaire de ce contact, sur chaque ligne de contact."),
                )
                continue
            groupe = groupes.get(cle) if cle else None
            if groupe is None:
                groupe = _Groupe(numero, du_partenaire)
                # A row without a name stands alone (the form will say the name is missing).
                groupes[cle or ("sans nom", numero)] = groupe
            else:
                self._comparer(groupe, numero, du_partenaire)
            if avec_contact:
                groupe.contacts.append((numero, "", du_contact))
        return groupes

    def _comparer(self, groupe, numero, valeurs):
        """A partner named again on a later row (for one more contact) must not say something
        else: which value would win is not for us to guess."""
        for cle, valeur in valeurs.items():
            premiere = groupe.valeurs.get(cle, "")
            if valeur == "" or cle == "nom":
                continue
            if (
                " ".join(str(valeur).split()).casefold()
                != " ".join(str(premiere).split()).casefold()
            ):
                self.erreur(
                    numero,
                    self._colonne_partenaire(cle),
                    _(
                        "Ce partenaire figure déjà ligne %(ligne)s avec une autre valeur "
                        "(« %(valeur)s ») : laissez la cellule vide ou recopiez la même valeur."
                    )
                    % {"ligne": groupe.ligne, "valeur": premiere},
                )

    def _rattacher_contacts(self, feuille, colonnes, groupes):
        entete_partenaire = self.entetes_contacts.get(CLE_PARTENAIRE, ENTETE_PARTENAIRE)
        for numero, cellules in feuille.lignes:
            valeurs = {
                cle: _valeur(cle, cellules[position] if position < len(cellules) else None)
                for position, cle in colonnes.items()
            }
            if not any(v != "" for v in valeurs.values()):
                continue
            nom = valeurs.pop(CLE_PARTENAIRE, "")
            du_contact = {k.removeprefix(CLE_CONTACT): v for k, v in valeurs.items()}
            cle = " ".join(str(nom).split()).casefold()
            if not cle:
                self.erreur(
                    numero,
                    entete_partenaire,
                    _("Indiquez le nom du partenaire de ce contact."),
                    feuille.nom,
                )
            elif cle not in groupes:
                self.erreur(
                    numero,
                    entete_partenaire,
                    _("Aucun partenaire « %(nom)s » dans la feuille des partenaires.")
                    % {"nom": nom},
                    feuille.nom,
                )
            else:
                groupes[cle].contacts.append((numero, feuille.nom, du_contact))

    def _valider(self, groupe):
        valeurs = groupe.valeurs
        donnees = {
            champ: valeurs[champ]
            for champ, _entete in COLONNES_PARTENAIRE
            if champ in valeurs and champ not in ("categorie", "themes")
        }
        categorie = valeurs.get("categorie", "")
        donnees["categorie"] = self.categorie_par_nom.get(normaliser(categorie), categorie)
        mots = [mot.strip() for mot in re.split(r"[,;\n]", valeurs.get("themes", ""))]
        donnees["themes"] = [self.theme_par_nom.get(normaliser(m), m) for m in mots if m]
        for champ, defaut in (("dans_livret", True), ("archive", False)):
            donnees[champ], message = _booleen(valeurs.get(champ, ""), defaut)
            if message:
                self.erreur(groupe.ligne, self._colonne_partenaire(champ), message)
        form = PartenaireImportForm(data=donnees, champ_themes=self.champ_themes)
        self._erreurs_form(form, groupe.ligne, "", self._colonne_partenaire)
        lu = PartenaireLu(groupe.ligne, form)
        if form.is_valid():
            lu.themes = [self.themes_par_slug[slug] for slug in form.cleaned_data["themes"]]
        for numero, feuille, valeurs_contact in groupe.contacts:
            lu.contacts.append(self._valider_contact(numero, feuille, valeurs_contact))
        return lu

    def _valider_contact(self, numero, feuille, valeurs):
        donnees = {
            champ: valeurs[champ]
            for champ, _entete in COLONNES_CONTACT
            if champ in valeurs and champ not in ("civilite",)
        }
        civilite = valeurs.get("civilite", "")
        donnees["civilite"] = self.civilite_par_nom.get(normaliser(civilite), civilite)

        def colonne(champ):
            return self._colonne_contact(champ, feuille)

        # As on screen: a contact with an address receives café invitations unless told not.
        for champ, defaut in (
            ("recoit_invitations_cafe", _adresse_valide(valeurs.get("email", ""))),
            ("prescripteur", False),
        ):
            donnees[champ], message = _booleen(valeurs.get(champ, ""), defaut)
            if message:
                self.erreur(numero, colonne(champ), message, feuille)
        form = ContactImportForm(data=donnees)
        self._erreurs_form(form, numero, feuille, colonne)
        return ContactLu(numero, form, feuille)

    def _colonne_partenaire(self, champ):
        """The header of a field's column as the file writes it (or as the model would)."""
        return self.entetes.get(champ, dict(COLONNES_PARTENAIRE).get(champ, champ))

    def _colonne_contact(self, champ, feuille):
        entete = dict(COLONNES_CONTACT).get(champ, champ)
        if feuille:
            return self.entetes_contacts.get(CLE_CONTACT + champ, entete)
        return self.entetes.get(CLE_CONTACT + champ, entete_contact(entete))

    def _erreurs_form(self, form, ligne, feuille, colonne):
        for champ, messages in form.errors.items():
            for message in messages:
                self.erreur(ligne, "" if champ == "__all__" else colonne(champ), message, feuille)


def _nom_proche(cible, noms_par_longueur):
    """Whether ``cible`` may pass the name rule of ``doublons_probables`` against one of the
    names of ``noms_par_longueur`` (normalised names, by length). A False is certain, a True is
    checked by the selector: as in difflib.get_close_matches, real_quick_ratio (lengths only,
    hence the lengths skipped) and quick_ratio bound the ratio from above."""
    if not cible:
        return False
    seuil = SEUIL_SIMILARITE
    longueur = len(cible)
    plus_court = math.floor(longueur * seuil / (2 - seuil))
    plus_long = math.ceil(longueur * (2 - seuil) / seuil)
    comparateur = difflib.SequenceMatcher()
    comparateur.set_seq2(cible)
    for autre_longueur in range(plus_court, plus_long + 1):
        for nom in noms_par_longueur.get(autre_longueur, ()):
            if nom == cible:
                return True
            comparateur.set_seq1(nom)
            if comparateur.real_quick_ratio() >= seuil and comparateur.quick_ratio() >= seuil:
                return True
    return False


def _signaler_doublons(partenaires, centre):
    """Flags, without blocking, what is probably already in the directory or twice in the file.

    ``doublons_probables`` decides, but it costs a query and a comparison with every partner of
    the commune: run for each row of a large file in a large directory, it took tens of seconds.
    The centre's names, communes and SIRETs are read once, and the selector only runs for the
    rows that may match (see ``_nom_proche``).
    """
    par_cle = {}
    for lu in partenaires:
        partenaire = lu.partenaire
        nom = nom_normalise(partenaire.nom)
        cles = [("nom", nom, partenaire.commune.strip().upper())] if nom else []
        if partenaire.siret:
            cles.append(("siret", partenaire.siret))
        for cle in cles:
            par_cle.setdefault(cle, []).append(lu)
    for semblables in par_cle.values():
        for lu in semblables:
            for autre in semblables:
                if autre is not lu and autre not in lu.doublons_fichier:
                    lu.doublons_fichier.append(autre)

    noms_par_commune, sirets = {}, set()
    existants = Partenaire.objects.for_centre(centre).values_list("nom", "commune", "siret")
    for nom, commune, siret in existants:
        if siret:
            sirets.add(siret)
        if commune.strip():
            nom = nom_normalise(nom)
            par_longueur = noms_par_commune.setdefault(commune.strip().upper(), {})
            par_longueur.setdefault(len(nom), set()).add(nom)
    for lu in partenaires:
        partenaire = lu.partenaire
        noms = noms_par_commune.get(partenaire.commune.strip().upper(), {})
        if partenaire.siret in sirets or _nom_proche(nom_normalise(partenaire.nom), noms):
            lu.doublons = doublons_probables(
                centre=centre,
                nom=partenaire.nom,
                commune=partenaire.commune,
                siret=partenaire.siret,
            )


def analyser(contenu, nom_fichier, *, centre, doublons=True):
    """Reads a CSV or .xlsx file and checks every row with the fiche's and the contact's forms.

    Writes nothing. Raises FichierIllisible when the file as a whole cannot be read; otherwise
    the Analyse lists the partners (with their contacts) and one Erreur per problem, with its
    row number and column. Likely duplicates are looked for when ``doublons`` and the file is
    valid.
    """
    feuille_partenaires, feuille_contacts = lire_fichier(contenu, nom_fichier)
    analyse = _Analyseur(nom_fichier=nom_fichier, centre=centre).analyser(
        feuille_partenaires, feuille_contacts
    )
    if doublons and analyse.valide:
        _signaler_doublons(analyse.partenaires, centre)
    return analyse


# --- Importing -----------------------------------------------------------------------------------


@transaction.atomic
def partenaires_importer(*, centre, analyse, user):
    """Creates every partner and contact of a valid Analyse in ``centre``, with their themes and
    a history record each (by ``user``, reason "Import : <file>"), in one transaction: all or
    nothing. Returns (partners created, contacts created).

    Rows are inserted in bulk: a few queries per thousand rows instead of several per row.
    """
    if not analyse.valide:
        raise ValueError("Only a valid analysis can be imported.")
    raison = _("Import : %(fichier)s") % {"fichier": analyse.nom_fichier}
    partenaires = []
    for lu in analyse.partenaires:
        lu.partenaire.centre = centre
        partenaires.append(lu.partenaire)
    bulk_create_with_history(
        partenaires,
        Partenaire,
        batch_size=TAILLE_LOT,
        default_user=user,
        default_change_reason=raison[:100],
    )
    Lien = Partenaire.themes.through
    Lien.objects.bulk_create(
        [
            Lien(partenaire_id=lu.partenaire.pk, theme_id=theme.pk)
            for lu in analyse.partenaires
            for theme in lu.themes
        ],
        batch_size=TAILLE_LOT,
    )
    contacts = []
    for lu in analyse.partenaires:
        for contact_lu in lu.contacts:
            contact_lu.contact.partenaire = lu.partenaire
            contacts.append(contact_lu.contact)
    bulk_create_with_history(
        contacts,
        Contact,
        batch_size=TAILLE_LOT,
        default_user=user,
        default_change_reason=raison[:100],
    )
    return len(partenaires), len(contacts)


# --- The uploaded file between preview and confirmation ------------------------------------------


@dataclass
class Depot:
    contenu: bytes
    nom_fichier: str
    chemin: Path

    def supprimer(self):
        self.chemin.unlink(missing_ok=True)


def _dossier_depots():
    return Path(settings.MEDIA_ROOT) / DOSSIER_DEPOTS


def depot_enregistrer(*, contenu, nom_fichier, centre, user):
    """Keeps an uploaded file until its import is confirmed. Returns a signed reference that
    only ``user``, working in ``centre``, can use, for DUREE_DEPOT.

    The file lives under MEDIA_ROOT/imports/ with a random name, which no URL serves; files
    left behind by imports never confirmed are removed at the next upload.
    """
    dossier = _dossier_depots()
    dossier.mkdir(parents=True, exist_ok=True)
    limite = (timezone.now() - DUREE_DEPOT - timedelta(minutes=5)).timestamp()
    for ancien in dossier.iterdir():
        try:
            if ancien.stat().st_mtime < limite:
                ancien.unlink()
        except FileNotFoundError:
            continue
    jeton = secrets.token_urlsafe(24)
    (dossier / f"{jeton}.depot").write_bytes(contenu)
    return signing.dumps(
        {"j": jeton, "u": user.pk, "c": centre.pk, "n": nom_fichier[:200]}, salt=SEL_DEPOT
    )


def depot_retirer(reference, *, centre, user):
    """Takes out the file kept under ``reference`` for ``user`` in ``centre``, or None (unknown,
    expired, someone else's, already taken). The file is moved aside first, so that a double
    click or a second tab cannot import it twice; the caller deletes it (``Depot.supprimer``).
    """
    try:
        donnees = signing.loads(reference, salt=SEL_DEPOT, max_age=DUREE_DEPOT)
    except signing.BadSignature:
        return None
    if donnees.get("u") != user.pk or donnees.get("c") != centre.pk:
        return None
    dossier = _dossier_depots()
    cible = dossier / f"{donnees['j']}.en-cours"
    try:
        (dossier / f"{donnees['j']}.depot").rename(cible)
    except FileNotFoundError:
        return None
    return Depot(cible.read_bytes(), donnees["n"], cible)
