"""The feuille d'émargement of a café: a printed A4 sign-in sheet (WeasyPrint).

Those expected (answered "Je viens" or "Peut-être", and people added at the door) are listed
by organisation, each with a signature box, then blank lines for walk-ins. Laid out by
``commun.pdf``, like the livret: only our own static files (stylesheet, fonts) are loaded.
"""

from itertools import groupby

from django.utils import timezone

from cafes.enums import Reponse
from cafes.models import Invitation
from commun.pdf import pdf_rendre

REPONSES_ATTENDUES = (Reponse.OUI, Reponse.PEUT_ETRE)
LIGNES_VIERGES = 10


def est_attendu(invitation):
    return invitation.reponse in REPONSES_ATTENDUES or invitation.sur_place


def par_organisation(invitations):
    """[(partner, [invitations])] in the order given (sorted by partner name)."""
    return [
        (groupe[0].contact.partenaire, groupe)
        for groupe in (
            list(g) for _, g in groupby(invitations, key=lambda i: i.contact.partenaire_id)
        )
    ]


def invitations_du_cafe(cafe):
    """Every invitation of the café with its contact and partner, sorted by organisation then
    name: one query."""
    return list(
        Invitation.objects.filter(cafe=cafe)
        .select_related("contact__partenaire")
        .order_by("contact__partenaire__nom", "contact__partenaire_id", "contact__nom", "pk")
    )


def emargement_pdf(cafe):
    """The sheet as PDF bytes (a few pages at most: laid out during the request)."""
    attendus = [i for i in invitations_du_cafe(cafe) if est_attendu(i)]
    return pdf_rendre(
        "cafes/pdf/emargement.html",
        {
            "cafe": cafe,
            "centre": cafe.centre,
            "groupes": par_organisation(attendus),
            "nb_attendus": len(attendus),
            "lignes_vierges": range(LIGNES_VIERGES),
            "edite_le": timezone.localdate(),
        },
    )


def nom_de_fichier(cafe):
    """e.g. emargement-cafe-montanou-2027-01-08.pdf"""
    return f"emargement-cafe-{cafe.centre.slug}-{cafe.date:%Y-%m-%d}.pdf"
