"""The feuille d'émargement of a café: a printed A4 sign-in sheet (WeasyPrint).

Those expected (answered "Je viens" or "Peut-être", and people added at the door) are listed
by organisation, each with a signature box, then blank lines for walk-ins. Laid out by
``commun.pdf``, like the livret: only our own static files (stylesheet, fonts) are loaded.
"""

from django.utils import timezone

from cafes.selectors import grouper_par_organisation
from commun.pdf import pdf_rendre

LIGNES_VIERGES = 10


def emargement_pdf(cafe):
    """The sheet as PDF bytes (a few pages at most: laid out during the request)."""
    attendus = list(cafe.invitations.attendues().par_organisation())
    return pdf_rendre(
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


def nom_de_fichier(cafe):
    """e.g. emargement-cafe-montanou-2027-01-08.pdf"""
    return f"emargement-cafe-{cafe.centre.slug}-{cafe.date:%Y-%m-%d}.pdf"
