"""The three parts of an email of Maillage, rendered from one template name."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, Engine
from django.template.loader import render_to_string

_ESPACES = re.compile(r"[ \t\n\r\f\v]+")


@dataclass(frozen=True)
class Rendu:
    sujet: str
    texte: str
    html: str


def _rendre_texte(nom, contexte):
    # Plain-text parts must not be HTML-escaped ("Café & co", not "Café &amp; co"): the
    # default engine renders them with autoescaping off, the HTML part keeps it on.
    return Engine.get_default().get_template(nom).render(Context(contexte, autoescape=False))


def courriel_rendre(gabarit, contexte):
    """Renders ``{gabarit}_sujet.txt`` (collapsed to one line), ``{gabarit}.txt`` and
    ``{gabarit}.html`` with ``contexte`` plus ``site_url`` and ``centre`` (None; both
    overridable by ``contexte``), and ``sujet`` for the bodies. The bodies extend
    ``emails/base.txt`` and ``emails/base.html`` (block ``corps``; ``emails/bouton.html`` draws
    a button), whose header and footer name ``centre`` when there is one. Writes nothing:
    ``courriel_preparer`` stores what it returns, a confirmation page shows it as a preview."""
    contexte = {"site_url": settings.SITE_URL, "centre": None, **contexte}
    # Collapsing whitespace also keeps a stray newline in a name from breaking the header. ASCII
    # whitespace only: str.split() would also turn the no-break spaces of French ("Rappel :")
    # into plain ones.
    sujet = _ESPACES.sub(" ", _rendre_texte(f"{gabarit}_sujet.txt", contexte)).strip()
    contexte["sujet"] = sujet
    return Rendu(
        sujet=sujet,
        texte=_rendre_texte(f"{gabarit}.txt", contexte).strip() + "\n",
        html=render_to_string(f"{gabarit}.html", contexte),
    )
