"""The two documents of a project: its RACI table (A4 landscape, one page for a project of up
to about thirty-four partners) and a bilan (A4 portrait) to share with partners and funders.

Both are laid out by ``commun.pdf``, which fetches our own static files and, for a bilan, its
own photos (named one by one to the fetcher) and nothing else.
"""

from django.utils import timezone
from django.utils.text import slugify

from commun.pdf import pdf_rendre
from partenariats.selectors_projets import legende_raci, par_role, participations_du_projet

# Up to the first number of partners the RACI table is set at its ordinary size; above,
# tighter, and above the second tighter still, so that a project of twenty-five or thirty
# partners fits on one landscape page (beyond, the header row repeats on the next).
RACI_SERRE, RACI_TRES_SERRE = 18, 26


def densite_raci(nombre):
    if nombre > RACI_TRES_SERRE:
        return "tres-serre"
    return "serre" if nombre > RACI_SERRE else ""


def raci_pdf(projet):
    participations = participations_du_projet(projet)
    return pdf_rendre(
        "partenariats/pdf/raci.html",
        {
            "projet": projet,
            "centre": projet.centre,
            "participations": participations,
            "legende": legende_raci(),
            "densite": densite_raci(len(participations)),
            "edite_le": timezone.localdate(),
        },
    )


def raci_nom_de_fichier(projet):
    return f"raci-{slugify(projet.titre)[:60] or projet.pk}.pdf"


def nom_pdf_de_piece(piece):
    """The name a photo is embedded under (the fetcher serves it under that name only)."""
    return f"piece-{piece.pk}{'.png' if piece.nature == 'png' else '.jpg'}"


def bilan_pdf(bilan):
    """The bilan as a PDF: the project, the date, the text, the figures, the photos (embedded),
    the documents' names and the project's partners by RACI role."""
    pieces = list(bilan.pieces.all())
    photos = [piece for piece in pieces if piece.est_image]
    for photo in photos:
        photo.nom_pdf = nom_pdf_de_piece(photo)
    return pdf_rendre(
        "partenariats/pdf/bilan.html",
        {
            "bilan": bilan,
            "projet": bilan.projet,
            "centre": bilan.projet.centre,
            "chiffres": list(bilan.chiffres.all()),
            "photos": photos,
            "documents": [piece for piece in pieces if not piece.est_image],
            "groupes": [
                groupe
                for groupe in par_role(participations_du_projet(bilan.projet))
                if groupe.participations
            ],
            "edite_le": timezone.localdate(),
        },
        fichiers={photo.nom_pdf: photo.fichier for photo in photos},
    )


def bilan_nom_de_fichier(bilan):
    return f"bilan-{slugify(bilan.projet.titre)[:50] or bilan.projet_id}-{bilan.date:%Y-%m-%d}.pdf"
