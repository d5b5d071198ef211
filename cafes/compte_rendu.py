"""The compte rendu (minutes) of a café as a document: its text assembled from the tour de
table, and its A4 PDF. Saving and emailing it are ``cafes.services.compte_rendu``'s."""

import weasyprint
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from weasyprint.text.fonts import FontConfiguration

from cafes.calendrier import heure
from partenariats.livret import ORIGINE_RESSOURCES, LivretURLFetcher
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
            "date": date_format(cafe.date, "l j F Y"),
            "debut": heure(cafe.heure_debut),
            "fin": heure(cafe.heure_fin),
        },
        _("Accueilli par %(hote)s, %(adresse)s") % {"hote": hote, "adresse": cafe.adresse},
        "",
        ngettext(
            "Présents : %(nombre)d organisation",
            "Présents : %(nombre)d organisations",
            len(presentes),
        )
        % {"nombre": len(presentes)}
        + (" (" + ", ".join(p.nom for p in presentes) + ")" if presentes else ""),
    ]
    for note in cafe.notes.select_related("partenaire").order_by("partenaire__nom", "pk"):
        lignes += ["", f"{note.partenaire.nom} — {note.texte.strip()}"]
    return "\n".join(lignes)


def compte_rendu_html(compte_rendu):
    cafe = compte_rendu.cafe
    return render_to_string(
        "cafes/pdf/compte_rendu.html",
        {"cafe": cafe, "compte_rendu": compte_rendu, "ressources": ORIGINE_RESSOURCES},
    )


def compte_rendu_pdf(compte_rendu):
    """The minutes as an A4 PDF. The text is escaped by the template engine; WeasyPrint only
    reaches our static files (``LivretURLFetcher``)."""
    return weasyprint.HTML(
        string=compte_rendu_html(compte_rendu),
        base_url=ORIGINE_RESSOURCES,
        url_fetcher=LivretURLFetcher(),
    ).write_pdf(font_config=FontConfiguration())


def nom_du_pdf(cafe):
    return f"compte-rendu-cafe-{cafe.date:%Y-%m-%d}.pdf"
