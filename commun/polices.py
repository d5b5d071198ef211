"""How wide a line of text is in the fonts Maillage serves (Source Sans 3), without a browser.

Drawings made on the server (the frise des partenariats, the carte du maillage) size their
boxes to the text they hold, so that a label neither overflows its chip nor overlaps the next
one. The widths come from the font files themselves (their advance widths, read once with
fontTools, which WeasyPrint already depends on); the pages and the PDFs draw the text in the
same font, served from our own static files. Kerning is left out: it only ever narrows Source
Sans a little, so a measured line is never shorter than the drawn one.
"""

from functools import cache

from django.contrib.staticfiles import finders
from fontTools.ttLib import TTFont

FICHIERS = {
    400: "fonts/SourceSans3-Regular.ttf.woff",
    600: "fonts/SourceSans3-Semibold.ttf.woff",
    700: "fonts/SourceSans3-Bold.ttf.woff",
}
POINTS_DE_SUSPENSION = "…"


@cache
def _chasses(graisse):
    """({code point: advance width in em}, the width of a character the font lacks)."""
    with TTFont(finders.find(FICHIERS[graisse])) as police:
        unites = police["head"].unitsPerEm
        avances = police["hmtx"].metrics
        chasses = {code: avances[nom][0] / unites for code, nom in police.getBestCmap().items()}
    # A character without a glyph is drawn from a fallback font: count it as wide as an "M".
    return chasses, chasses[ord("M")]


def largeur_texte(texte, taille, graisse=400):
    """The width of ``texte`` on one line, in the unit of ``taille`` (px for px)."""
    chasses, inconnu = _chasses(graisse)
    return sum(chasses.get(ord(c), inconnu) for c in texte) * taille


def raccourcir(texte, largeur_max, taille, graisse=400):
    """``texte`` if it fits in ``largeur_max``, else its longest beginning that fits followed by
    "…" (cut at a word when a word boundary is near)."""
    if largeur_texte(texte, taille, graisse) <= largeur_max:
        return texte
    place = largeur_max - largeur_texte(POINTS_DE_SUSPENSION, taille, graisse)
    chasses, inconnu = _chasses(graisse)
    largeur, fin = 0.0, 0
    while fin < len(texte):
        largeur += chasses.get(ord(texte[fin]), inconnu) * taille
        if largeur > place:
            break
        fin += 1
    debut = texte[:fin].rstrip()
    # "Association des parents d'élèves…" reads better than "Association des parents d'é…".
    espace = debut.rfind(" ")
    if espace >= len(debut) * 0.7:
        debut = debut[:espace]
    return debut.rstrip(" ,;:-–—'") + POINTS_DE_SUSPENSION


def lignes(texte, largeur_max, taille, graisse=400, nb_max=3):
    """``texte`` broken at spaces into at most ``nb_max`` lines of ``largeur_max``; the last one
    shortened with "…" if the text does not fit."""
    mots = texte.split()
    resultat, courante = [], ""
    for index, mot in enumerate(mots):
        essai = f"{courante} {mot}".strip()
        if not courante or largeur_texte(essai, taille, graisse) <= largeur_max:
            courante = essai
            continue
        resultat.append(courante)
        courante = mot
        if len(resultat) == nb_max - 1:
            courante = " ".join(mots[index:])
            break
    if courante:
        resultat.append(courante)
    return [raccourcir(ligne, largeur_max, taille, graisse) for ligne in resultat]
