"""French text as compared and sorted: the one definition of accent folding."""

import unicodedata

# NFKD splits "é" into "e" and a combining accent, but leaves the ligatures whole: without this
# table "Cœur de quartier" would never meet "Coeur de quartier".
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


def replier(texte):
    """``texte`` without accents nor case, to compare and sort: "Œuvre d'Agen" → "oeuvre
    d'agen", "ÉCOLE" → "ecole", "Straße" → "strasse". Letters without an accent-free form
    (other scripts, "ø") are kept as they are; punctuation and spaces are kept too."""
    decompose = unicodedata.normalize("NFKD", str(texte or "").casefold().translate(LIGATURES))
    return "".join(c for c in decompose if not unicodedata.combining(c))


def cle_tri(texte):
    """Sort key for names, the same on every database: accents, case and leading punctuation
    ignored ("École" among the E, near "Ecole"; "« L'Escale »" under L)."""
    return replier(texte).lstrip(" \"'«»“”‘\u2019()[]-–—.,;:!?*#").strip()
