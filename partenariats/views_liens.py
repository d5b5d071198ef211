"""The partnerships' pages (/partenariats/): the list and its filters, a partnership's page,
its forms, and the orientation protocol with its signed document."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import (
    CreateView,
    DeleteView,
    DetailView,
    FormView,
    ListView,
    UpdateView,
    View,
)
from django.views.generic.detail import SingleObjectMixin

from commun.creation import CreationUniqueMixin
from commun.fichiers import reponse_fichier
from commun.listes import ListeFiltreeMixin
from partenariats.enums import TypePartenariat
from partenariats.filters_liens import partenariat_filter
from partenariats.forms_liens import PartenariatForm, ProtocoleForm
from partenariats.models import Partenaire, Partenariat, ProtocoleOrientation
from partenariats.selectors_liens import historique_partenariat
from partenariats.selectors_sollicitations import sollicitation_origine
from partenariats.services.liens import (
    MESSAGE_SANS_PROTOCOLE,
    partenariat_creer,
    partenariat_modifier,
    partenariat_supprimer,
    protocole_enregistrer,
)
from reseau.access import CentreMixin
from reseau.enums import Role

COLONNES_LISTE = [
    "type",
    "niveau",
    "horizon",
    "objet",
    "debut",
    "fin",
    "statut",
    "construction",
    "partenaire__nom",
    "referent__first_name",
    "referent__last_name",
    "referent__email",
]


def _protocole_de(partenariat):
    return ProtocoleOrientation.objects.filter(partenariat=partenariat).first()


class PartenariatListView(CentreMixin, ListeFiltreeMixin, ListView):
    model = Partenariat
    template_name = "partenariats/partenariat_liste.html"
    context_object_name = "partenariats"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = partenariat_filter(self.request, self.centre)
        # The columns the rows show: narrow rows keep the sort of a large list cheap.
        return self.filterset.qs.select_related("partenaire", "referent").only(*COLONNES_LISTE)

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # One grouped query gives both the count by type shown above the list and the total
        # the paginator would have counted again.
        self.nombres = dict(
            self.filterset.qs.order_by().values_list("type").annotate(n=Count("pk"))
        )
        paginator.count = sum(self.nombres.values())
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["par_type"] = [
            (valeur, libelle, self.nombres[valeur])
            for valeur, libelle in TypePartenariat.choices
            if self.nombres.get(valeur)
        ]
        return context


class PartenariatDetailView(CentreMixin, DetailView):
    model = Partenariat
    template_name = "partenariats/partenariat_detail.html"
    context_object_name = "partenariat"

    def get_queryset(self):
        return super().get_queryset().select_related("partenaire", "referent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        protocole = None
        if self.object.est_orientation:
            protocole = (
                ProtocoleOrientation.objects.filter(partenariat=self.object)
                .prefetch_related("prescripteurs")
                .first()
            )
        context["protocole"] = protocole
        context["historique"] = historique_partenariat(self.object)
        context["sollicitation_origine"] = sollicitation_origine(self.object)
        return context


class PartenariatFormMixin(CentreMixin):
    """The form of a partnership; subclasses save it with ``enregistrer(form)``."""

    min_role = Role.SALARIE
    model = Partenariat
    form_class = PartenariatForm
    template_name = "partenariats/partenariat_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "centre": self.centre}

    def form_valid(self, form):
        try:
            self.object = self.enregistrer(form)
        except ValidationError as erreur:
            # What the form could not know (a member removed meanwhile...): said on the form,
            # with the values typed.
            form.add_error(None, erreur)
            return self.form_invalid(form)
        return HttpResponseRedirect(self.object.get_absolute_url())


class PartenariatCreateView(CreationUniqueMixin, PartenariatFormMixin, CreateView):
    """A new partnership; ``?partenaire=<pk>`` (the partner page's link) chooses the partner."""

    def url_liste(self):
        return reverse("partenariats:partenariat_liste")

    def get_initial(self):
        # Whoever records it follows it, until someone else is chosen.
        initial = {**super().get_initial(), "referent": self.request.user}
        pk = self.request.GET.get("partenaire", "")
        if pk.isdigit():
            partenaire = Partenaire.objects.for_centre(self.centre).actifs().filter(pk=pk).first()
            if partenaire is not None:
                initial["partenaire"] = partenaire
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partenaire"] = self.get_initial().get("partenaire")
        return context

    def enregistrer(self, form):
        partenariat = partenariat_creer(
            centre=self.centre, par=self.request.user, **form.cleaned_data
        )
        messages.success(
            self.request,
            _("Partenariat créé : %(partenaire)s.") % {"partenaire": partenariat.partenaire},
        )
        return partenariat


class PartenariatUpdateView(PartenariatFormMixin, UpdateView):
    def get_queryset(self):
        return super().get_queryset().select_related("partenaire")

    def enregistrer(self, form):
        partenariat = partenariat_modifier(
            partenariat=self.object, par=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("Partenariat enregistré."))
        return partenariat


class PartenariatDeleteView(CentreMixin, DeleteView):
    """Asks, then deletes. The partner's timeline keeps the partnership's history."""

    min_role = Role.SALARIE
    model = Partenariat
    template_name = "partenariats/partenariat_supprimer.html"
    context_object_name = "partenariat"

    def get_queryset(self):
        return super().get_queryset().select_related("partenaire")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["protocole"] = _protocole_de(self.object) if self.object.est_orientation else None
        return context

    def form_valid(self, form):
        partenaire = self.object.partenaire
        partenariat_supprimer(partenariat=self.object, par=self.request.user)
        messages.success(self.request, _("Partenariat supprimé."))
        return HttpResponseRedirect(partenaire.get_absolute_url() + "#partenariats")


class ProtocoleModifierView(CentreMixin, SingleObjectMixin, FormView):
    """Creates or changes the protocol of an orientation partnership (the URL names the
    partnership). Another type of partnership has none: back to its page."""

    min_role = Role.SALARIE
    model = Partenariat
    form_class = ProtocoleForm
    template_name = "partenariats/protocole_form.html"
    context_object_name = "partenariat"

    def get_queryset(self):
        return super().get_queryset().select_related("partenaire")

    def _sans_protocole(self):
        """Reads the partnership and its protocol; for another type of partnership, the
        redirection to its page (else None: the form goes on)."""
        self.object = self.get_object()
        if self.object.est_orientation:
            self.protocole = _protocole_de(self.object)
            return None
        messages.info(self.request, MESSAGE_SANS_PROTOCOLE)
        return HttpResponseRedirect(self.object.get_absolute_url())

    def get(self, request, *args, **kwargs):
        return self._sans_protocole() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._sans_protocole() or super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.protocole or ProtocoleOrientation(partenariat=self.object),
            "partenariat": self.object,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(protocole=self.protocole, **kwargs)

    def form_valid(self, form):
        donnees = form.cleaned_data
        try:
            protocole_enregistrer(
                partenariat=self.object,
                par=self.request.user,
                signe_le=donnees["signe_le"],
                valide_jusqu_au=donnees.get("valide_jusqu_au"),
                document=donnees.get("document") or None,
                prescripteurs=donnees["prescripteurs"],
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
            return self.form_invalid(form)
        messages.success(self.request, _("Protocole d'orientation enregistré."))
        return HttpResponseRedirect(self.object.get_absolute_url() + "#protocole")


class ProtocoleDocumentView(CentreMixin, SingleObjectMixin, View):
    """The signed protocol, shown in the browser, to the members of the centre only."""

    model = ProtocoleOrientation
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        protocole = self.get_object()
        if not protocole.document:
            raise Http404
        try:
            return reponse_fichier(protocole.document, protocole.document_nom or "protocole.pdf")
        except FileNotFoundError as erreur:
            raise Http404 from erreur
