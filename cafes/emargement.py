"""The feuille d'émargement of a café: a printed A4 sign-in sheet (WeasyPrint).

Those expected (answered "Je viens" or "Peut-être", and people added at the door) are listed
by organisation, each with a signature box, then blank lines for walk-ins. Resources are
loaded like the livret's: only our own static files (stylesheet, fonts) through
``LivretURLFetcher``; anything else is refused. Text is HTML-escaped by the template engine.
"""

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.text.fonts import FontConfiguration

from cafes.selectors import grouper_par_organisation
from partenariats.livret import ORIGINE_RESSOURCES, LivretURLFetcher

LIGNES_VIERGES = 10


def emargement_html(cafe):
    attendus = list(cafe.invitations.attendues().par_organisation())
    return render_to_string(
        "cafes/pdf/emargement.html",
        {
            "cafe": cafe,
            "centre": cafe.centre,
            "groupes": grouper_par_organisation(attendus),
            "nb_attendus": len(attendus),
            "lignes_vierges": range(LIGNES_VIERGES),
            "edite_le": timezone.localdate(),
        },
    )


def emargement_pdf(cafe):
    """The sheet as PDF bytes (a few pages at most: laid out during the request)."""
    return weasyprint.HTML(
        string=emargement_html(cafe),
        base_url=ORIGINE_RESSOURCES,
        url_fetcher=LivretURLFetcher(),
    ).write_pdf(font_config=FontConfiguration())


def nom_de_fichier(cafe):
    """e.g. emargement-cafe-montanou-2027-01-08.pdf"""
    return f"emargement-cafe-{cafe.centre.slug}-{cafe.date:%Y-%m-%d}.pdf"
