"""What the home page shows under "À venir", contributed by the apps above reseau.

reseau must not import them (imports go downward), so each app registers a function
``request -> list[Rappel]`` with ``@rappel_accueil``; the home page calls them in order.
Each function runs at most a query or two, whatever the size of the centre.
"""

from dataclasses import dataclass

RAPPELS_ACCUEIL = []


@dataclass
class Rappel:
    texte: str
    url: str = ""
    lien: str = ""


def rappel_accueil(fonction):
    RAPPELS_ACCUEIL.append(fonction)
    return fonction


def rappels(request):
    return [rappel for fonction in RAPPELS_ACCUEIL for rappel in fonction(request)]
