"""Reading an uploaded file into rows: CSV (whatever the encoding and separator French
spreadsheets write) or Excel, told by its content, within size limits.
"""

import codecs
import csv
import io
import time
import warnings
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from partenariats.echanges.colonnes import normaliser

# Rows of a sheet (the partners, and in a workbook the contacts too).
MAX_LIGNES = 5000
# A 5 MB .xlsx is a zip; its declared content is capped so that a crafted file cannot fill
# the memory once decompressed.
TAILLE_MAX_DECOMPRESSEE = 80 * 1024 * 1024
# A sheet can hold millions of empty rows in a few kilobytes (each one a short XML element,
# compressed a thousandfold): every row read counts against MAX_LIGNES, empty or not, and so
# does every cell against MAX_CELLULES (rows thousands of columns wide). Reading stops after
# DUREE_MAX_LECTURE seconds whatever the file holds; an export of 2,000 partners and their
# contacts, read in about 2 s, must go through.
MAX_CELLULES = 400_000
DUREE_MAX_LECTURE = 8.0


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
            _("Ce fichier n'est pas un fichier texte CSV : déposez un fichier .csv ou .xlsx.")
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
            "L'encodage de ce fichier CSV n'est pas reconnu : enregistrez-le depuis votre "
            "tableur au format « CSV UTF-8 »."
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
    return _("Le fichier compte plus de %(max)s lignes : découpez-le en plusieurs fichiers.") % {
        "max": MAX_LIGNES
    }


def _classeur_illisible():
    return FichierIllisible(
        _(
            "Ce classeur Excel est illisible ou abîmé : ouvrez-le dans votre tableur et "
            "enregistrez-le de nouveau au format .xlsx."
        )
    )


def _classeur_trop_long():
    return _(
        "Ce classeur est trop long à lire : enregistrez la feuille des partenaires au format "
        "« CSV UTF-8 » ou découpez-la en plusieurs fichiers."
    )


def _lire_xlsx(contenu):
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            taille = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise _classeur_illisible() from exc
    if taille > TAILLE_MAX_DECOMPRESSEE:
        raise FichierIllisible(
            _("Ce classeur est trop volumineux : découpez-le en plusieurs fichiers.")
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
    cellules_lues = 0
    echeance = time.monotonic() + DUREE_MAX_LECTURE
    for source in (source_partenaires, source_contacts):
        if source is None:
            feuilles.append(None)
            continue
        # The sheet's declared size: a bomb often says so itself, and is refused unread.
        if (source.max_row or 0) > MAX_LIGNES + 2:
            raise FichierIllisible(_trop_de_lignes())
        # Some programs write a wrong size for the sheet; read what is really there.
        source.reset_dimensions()
        lignes = []
        for numero, cellules in enumerate(source.iter_rows(values_only=True), start=1):
            # Every row counts, empty ones too: they cost as much to read.
            cellules_lues += len(cellules)
            if numero > MAX_LIGNES + 2:
                raise FichierIllisible(_trop_de_lignes())
            if cellules_lues > MAX_CELLULES:
                raise FichierIllisible(_classeur_trop_long())
            if numero % 100 == 0 and time.monotonic() > echeance:
                raise FichierIllisible(_classeur_trop_long())
            if any(cellule not in (None, "") for cellule in cellules):
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
                "Les classeurs Excel 97-2003 (.xls) ne sont pas pris en charge : enregistrez le "
                "fichier au format « Classeur Excel (.xlsx) » ou « CSV UTF-8 »."
            )
        )
    if nom_fichier.lower().endswith(".xlsx"):
        raise _classeur_illisible()
    return _lire_csv(contenu), None
