"""The compte rendu (minutes) of a café as a document: its text assembled from the tour de
table, and its A4 PDF. Saving and emailing it are ``cafes.services.compte_rendu``'s."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cafes.calendrier import heure
from commun.dates import date_fr
from commun.pdf import pdf_rendre
from partenariats.models import Partenaire


def compte_rendu_texte(cafe):
    """The minutes assembled from the tour de table: a heading with the café (date, host,
    address), the organisations present, then one paragraph per organisation noted."""
    hote = cafe.hote.nom if cafe.hote else cafe.centre.nom
    presentes = list(
        Partenaire.objects.filter(
            pk__in=cafe.invitations.filter(present=True).values("contact__partenaire_id")
        ).order_by("nom", "pk")
    )
    lignes = [
        _("%(serie)s — %(date)s, %(debut)s – %(fin)s")
        % {
            "serie": cafe.serie.nom,
            "date": date_fr(cafe.date, "l j F Y"),
            "debut": heure(cafe.heure_debut),
            "fin": heure(cafe.heure_fin),
        },
        _("Accueil : %(hote)s, %(adresse)s") % {"hote": hote, "adresse": cafe.adresse},
        "",
        ngettext(
            "Présents : %(nombre)d organisation",
            "Présents : %(nombre)d organisations",
            len(presentes),
        )
        % {"nombre": len(presentes)}
        + (" (" + ", ".join(p.nom for p in presentes) + ")" if presentes else ""),
    ]
    for note in cafe.notes.select_related("partenaire").order_by("partenaire__nom", "pk"):
        lignes += ["", f"{note.partenaire.nom} — {note.texte.strip()}"]
    return "\n".join(lignes)


def compte_rendu_pdf(compte_rendu):
    """The minutes as an A4 PDF (``commun.pdf``: only our own static files are loaded)."""
    return pdf_rendre(
        "cafes/pdf/compte_rendu.html", {"cafe": compte_rendu.cafe, "compte_rendu": compte_rendu}
    )


def nom_du_pdf(cafe):
    return f"compte-rendu-cafe-{cafe.date:%Y-%m-%d}.pdf"
