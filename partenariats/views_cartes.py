"""The frise des partenariats (of the centre, of a project) and the carte du maillage: pages
and PDFs. Any member may read them.

Each page draws its SVG on the server (``partenariats.cartes``) from one or a few aggregated
queries (``partenariats.selectors_cartes``), and shows the same data in a table right below.
The PDF is the same SVG and table, laid out by WeasyPrint on an A4 landscape page.
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, TemplateView

from commun.pdf import pdf_rendre
from partenariats import cartes
from partenariats.enums import TypePartenariat
from partenariats.models import Projet
from partenariats.selectors_cartes import (
    carte_du_centre,
    carte_libelles_comptes,
    frise_du_centre,
    frise_du_projet,
    url_projet,
)
from reseau.access import CentreMixin


def _frise_description(cases, sujet):
    total = sum(case.total for case in cases.values())
    return ngettext(
        "%(sujet)s : %(nb)s partenaire placé sur la frise, une ligne par niveau d'implication "
        "(co-porteur, allié, information), une colonne par horizon (court, moyen, long terme). "
        "Le tableau qui suit reprend les mêmes informations.",
        "%(sujet)s : %(nb)s partenaires placés sur la frise, une ligne par niveau "
        "d'implication (co-porteur, allié, information), une colonne par horizon (court, "
        "moyen, long terme). Le tableau qui suit reprend les mêmes informations.",
        total,
    ) % {"sujet": sujet, "nb": total}


def frise_contexte(cases, *, titre, sujet):
    return {
        "prefixe_liens": "",
        "frise": cartes.frise_disposer(cases),
        "titre_dessin": titre,
        "description": _frise_description(cases, sujet),
        "vide": not any(case.total for case in cases.values()),
    }


def carte_contexte(centre):
    carte = cartes.carte_disposer(centre.nom, carte_du_centre(centre))
    colonnes = carte_libelles_comptes()
    return {
        "prefixe_liens": "",
        "carte": carte,
        "titre_dessin": _("Carte du maillage : %(centre)s") % {"centre": centre.nom},
        "description": cartes.carte_description(carte),
        "colonnes_comptes": colonnes,
        "nb_colonnes": 4 + len(colonnes),
        "types": [
            (type_, cartes.lettre_type(type_), cartes.COULEURS_TYPES[type_])
            for type_ in TypePartenariat
        ],
        "tailles": [
            (score, rayon, 2 * rayon)
            for score, rayon in ((s, cartes.rayon_noeud(s)) for s in (1, 4, cartes.SCORE_MAX))
        ],
        "vide": not carte.noeuds and not any(anneau.total for anneau in carte.anneaux),
    }


def reponse_pdf(gabarit, contexte, nom):
    """The PDF of ``gabarit`` as a download. Links in the drawing point to the site."""
    contenu = pdf_rendre(
        gabarit,
        {**contexte, "prefixe_liens": settings.SITE_URL, "edite_le": timezone.localdate()},
    )
    response = HttpResponse(contenu, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{nom}-{timezone.localdate():%Y-%m-%d}.pdf"'
    )
    return response


class FriseView(CentreMixin, TemplateView):
    template_name = "partenariats/cartes/frise.html"

    def contexte_frise(self):
        return frise_contexte(
            frise_du_centre(self.centre),
            titre=_("Frise des partenariats : %(centre)s") % {"centre": self.centre.nom},
            sujet=self.centre.nom,
        )

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            **self.contexte_frise(),
            "url_pdf": reverse("partenariats:frise_pdf"),
        }


class FrisePdfView(FriseView):
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        return reponse_pdf(
            "partenariats/pdf/frise.html",
            {**self.contexte_frise(), "centre": self.centre, "titre": _("Frise des partenariats")},
            f"frise-partenariats-{self.centre.slug}",
        )


class FriseProjetView(CentreMixin, DetailView):
    """The frise of one project: its partners (``ParticipationProjet``) by level and horizon."""

    model = Projet
    template_name = "partenariats/cartes/frise_projet.html"
    context_object_name = "projet"

    def contexte_frise(self, projet):
        return frise_contexte(
            frise_du_projet(projet),
            titre=_("Frise : %(projet)s") % {"projet": projet.titre},
            sujet=projet.titre,
        )

    def get_context_data(self, **kwargs):
        projet = self.object
        return {
            **super().get_context_data(**kwargs),
            **self.contexte_frise(projet),
            "url_pdf": reverse("partenariats:frise_projet_pdf", args=[projet.pk]),
            "url_projet": url_projet(projet),
        }


class FriseProjetPdfView(FriseProjetView):
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        projet = self.get_object()
        return reponse_pdf(
            "partenariats/pdf/frise.html",
            {
                **self.contexte_frise(projet),
                "centre": self.centre,
                "titre": _("Frise : %(projet)s") % {"projet": projet.titre},
            },
            f"frise-{slugify(projet.titre)[:60] or projet.pk}",
        )


class CarteView(CentreMixin, TemplateView):
    """The carte du maillage: "who are our allies, who only gets our news?"."""

    template_name = "partenariats/cartes/carte.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            **carte_contexte(self.centre),
            "url_pdf": reverse("partenariats:carte_pdf"),
        }


class CartePdfView(CentreMixin, View):
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        return reponse_pdf(
            "partenariats/pdf/carte.html",
            {**carte_contexte(self.centre), "centre": self.centre, "titre": _("Carte du maillage")},
            f"carte-maillage-{self.centre.slug}",
        )
