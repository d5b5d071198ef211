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
        "titre_tableau": _("La frise en tableau"),
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
        "titre_tableau": _("La carte en tableau"),
        "vide": not carte.noeuds and not any(anneau.total for anneau in carte.anneaux),
    }


def reponse_pdf(contexte, *, titre, nom, gabarit, tableau, legende=""):
    """The drawing ``gabarit`` (an SVG template) with its ``legende`` and its ``tableau`` as a
    PDF download, A4 landscape. Links in the table point to the site."""
    contenu = pdf_rendre(
        "partenariats/pdf/dessin.html",
        {
            **contexte,
            "titre": titre,
            "gabarit": gabarit,
            "legende": legende,
            "tableau": tableau,
            "prefixe_liens": settings.SITE_URL,
            "edite_le": timezone.localdate(),
        },
    )
    response = HttpResponse(contenu, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{nom}-{timezone.localdate():%Y-%m-%d}.pdf"'
    )
    return response


FRISE_PDF = "partenariats/cartes/_frise_imprimee.html"
FRISE_TABLEAU = "partenariats/cartes/_frise_tableau.html"


class FriseView(CentreMixin, TemplateView):
    """The frise of the centre's partnerships under way (source 03)."""

    template_name = "partenariats/cartes/frise.html"

    def contexte_frise(self):
        return {
            **frise_contexte(
                frise_du_centre(self.centre),
                titre=_("Frise des partenariats : %(centre)s") % {"centre": self.centre.nom},
                sujet=self.centre.nom,
            ),
            "centre": self.centre,
            "legende_tableau": _(
                "Les partenaires de la frise, par niveau d'implication et par horizon"
            ),
        }

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            **self.contexte_frise(),
            "titre_page": _("Frise des partenariats"),
            "intro": _(
                "Avec qui le centre travaille, à court, moyen et long terme : une ligne par "
                "niveau d'implication. Les partenariats terminés n'y figurent pas. Un clic sur "
                "un partenaire ouvre sa fiche."
            ),
            "texte_vide": _(
                "Aucun partenariat en cours pour l'instant : la frise se remplit à mesure "
                "que le centre enregistre ses partenariats."
            ),
            "onglet": "frise",
            "url_pdf": reverse("partenariats:frise_pdf"),
        }


class FrisePdfView(FriseView):
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        return reponse_pdf(
            self.contexte_frise(),
            titre=_("Frise des partenariats"),
            nom=f"frise-partenariats-{self.centre.slug}",
            gabarit=FRISE_PDF,
            tableau=FRISE_TABLEAU,
        )


class FriseProjetView(CentreMixin, DetailView):
    """The frise of one project: its partners (``ParticipationProjet``) by level and horizon."""

    model = Projet
    template_name = "partenariats/cartes/frise.html"
    context_object_name = "projet"

    def contexte_frise(self, projet):
        return {
            **frise_contexte(
                frise_du_projet(projet),
                titre=_("Frise : %(projet)s") % {"projet": projet.titre},
                sujet=projet.titre,
            ),
            "centre": self.centre,
            "legende_tableau": _(
                "Les partenaires du projet, par niveau d'implication et par horizon"
            ),
        }

    def get_context_data(self, **kwargs):
        projet = self.object
        return {
            **super().get_context_data(**kwargs),
            **self.contexte_frise(projet),
            "titre_page": _("Frise : %(projet)s") % {"projet": projet.titre},
            "intro": _(
                "Les partenaires du projet, à court, moyen et long terme : une ligne par "
                "niveau d'implication, avec leur rôle (RACI). Un clic sur un partenaire ouvre "
                "sa fiche."
            ),
            "texte_vide": _(
                "Ce projet n'a pas encore de partenaire : la frise se remplit à mesure que "
                "des partenaires y sont ajoutés."
            ),
            "onglet": "projets",
            "url_pdf": reverse("partenariats:frise_projet_pdf", args=[projet.pk]),
        }


class FriseProjetPdfView(FriseProjetView):
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        projet = self.get_object()
        return reponse_pdf(
            self.contexte_frise(projet),
            titre=_("Frise : %(projet)s") % {"projet": projet.titre},
            nom=f"frise-{slugify(projet.titre)[:60] or projet.pk}",
            gabarit=FRISE_PDF,
            tableau=FRISE_TABLEAU,
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
            {**carte_contexte(self.centre), "centre": self.centre},
            titre=_("Carte du maillage"),
            nom=f"carte-maillage-{self.centre.slug}",
            gabarit="partenariats/cartes/_carte_svg.html",
            legende="partenariats/cartes/_carte_legende.html",
            tableau="partenariats/cartes/_carte_tableau.html",
        )
