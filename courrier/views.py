from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.functions import Length
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import DetailView
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView

from courrier.enums import StatutCourriel
from courrier.filters import CourrielFilter
from courrier.models import Courriel, PieceJointe
from courrier.services import courriel_relancer, courriel_reprise, mise_en_file_suivie
from reseau.access import CentreMixin
from reseau.enums import AuditAction, Role
from reseau.services import audit_enregistrer

# The HTML body is whatever a template produced from partners' data: it is shown in a sandboxed
# frame (no script, no form, an opaque origin) and may load nothing from outside, so that
# opening an email in Maillage never calls a tracker or a partner's server.
APERCU_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox"
)


class CourrielListeView(CentreMixin, FilterView):
    """The centre's outbox, most recent first, filtered by status in the URL."""

    model = Courriel
    min_role = Role.SALARIE
    filterset_class = CourrielFilter
    paginate_by = 50
    template_name = "courrier/courriel_liste.html"
    context_object_name = "courriels"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .only(
                "cree_le",
                "destinataire",
                "sujet",
                "statut",
                "tentatives",
                "envoye_le",
                "derniere_erreur",
            )
            .order_by("-cree_le", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        comptes = Courriel.objects.for_centre(self.centre).comptes_par_statut()
        context["statuts"] = [(statut, comptes[statut.value]) for statut in StatutCourriel]
        context["total"] = sum(comptes.values())
        form = self.filterset.form
        context["statut_actif"] = (
            form.cleaned_data.get("statut", "") if form.is_bound and form.is_valid() else ""
        )
        return context


class CourrielDetailView(CentreMixin, DetailView):
    model = Courriel
    min_role = Role.SALARIE
    template_name = "courrier/courriel_detail.html"
    context_object_name = "courriel"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("content_type")
            .prefetch_related(
                Prefetch(
                    "pieces_jointes",
                    queryset=PieceJointe.objects.defer("contenu").annotate(
                        taille=Length("contenu")
                    ),
                )
            )
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "reprise": courriel_reprise(self.object)}


@method_decorator(xframe_options_sameorigin, name="dispatch")
class CourrielApercuView(CentreMixin, SingleObjectMixin, View):
    """The HTML body alone, for the sandboxed frame of the detail page."""

    model = Courriel
    min_role = Role.SALARIE

    def get(self, request, *args, **kwargs):
        courriel = self.get_object(self.get_queryset().only("corps_html"))
        response = HttpResponse(courriel.corps_html, content_type="text/html; charset=utf-8")
        # Set here, the header wins over the site-wide policy of django-csp.
        response["Content-Security-Policy"] = APERCU_CSP
        response["Referrer-Policy"] = "no-referrer"
        return response


class CourrielRelancerView(CentreMixin, SingleObjectMixin, View):
    """The "Renvoyer" button: POST only, since a GET must never send anything."""

    model = Courriel
    min_role = Role.SALARIE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        courriel = self.get_object()
        try:
            with mise_en_file_suivie() as suivi, transaction.atomic():
                courriel_relancer(courriel=courriel)
                audit_enregistrer(
                    par=request.user,
                    centre=self.centre,
                    action=AuditAction.COURRIEL_RELANCE,
                    objet=courriel,
                )
        except ValidationError as erreur:
            for message in erreur.messages:
                messages.error(request, message)
        else:
            if suivi.refusees:
                messages.warning(
                    request,
                    _(
                        "Le service d'envoi ne répond pas : le courriel partira dès que le "
                        "service d'envoi sera rétabli."
                    ),
                )
                return redirect("courrier:detail", pk=courriel.pk)
            messages.success(
                request,
                _("Le courriel à %(destinataire)s est de nouveau dans la file d'envoi.")
                % {"destinataire": courriel.destinataire},
            )
        return redirect("courrier:detail", pk=courriel.pk)
