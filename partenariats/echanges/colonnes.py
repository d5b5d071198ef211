"""The format of the directory's files: columns and their headers, sheets, oui/non words.

Shared by the export (which writes these headers) and the import (which reads them back, and
the other spellings met in real files).
"""

import re

from commun.texte import replier

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
    ("publier_dans_livret", "Publié dans le livret"),
    ("desinscrit_le", "Désinscrit le"),
]
# The stable identifiers an export writes, so that a file edited in a spreadsheet updates the
# fiches it came from. Not model fields: read and written apart from the columns above.
CLE_IDENTIFIANT = "identifiant"
ENTETE_IDENTIFIANT = "Identifiant"
CLE_ID_PARTENAIRE = "partenaire:identifiant"
ENTETE_ID_PARTENAIRE = "Identifiant partenaire"
# In a partners sheet, contact columns carry a prefix ("Contact nom"); a contacts sheet, where
# the first column names the partner, may leave it out.
PREFIXE_CONTACT = "Contact "
CLE_CONTACT = "contact:"
ENTETE_PARTENAIRE = "Partenaire"
CLE_PARTENAIRE = "partenaire"
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

# A cell starting with one of these would run as a formula in a spreadsheet.
DEBUT_FORMULE = ("=", "+", "-", "@", "\t", "\r")
# What a oui / non column accepts (normalised); the export writes "oui" and "non".
OUI = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
NON = {"non", "n", "no", "faux", "false", "0"}


def normaliser(texte):
    """A header or label as compared: no accents, no capitals, words split on punctuation."""
    return " ".join(re.findall(r"[a-z0-9]+", replier(texte)))


def oui_non(valeur):
    return "oui" if valeur else "non"
