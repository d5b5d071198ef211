"""The requests received (source 05): the list by deadline with the year's figures, recording
one, deciding, accepting it as a partnership in one step."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView
from django.views.generic.detail import SingleObjectMixin

from partenariats.alertes import DELAI_ECHEANCE
from partenariats.enums import DecisionSollicitation, Horizon
from partenariats.forms_sollicitations import (
    AcceptationForm,
    DecisionForm,
    SollicitationCreationForm,
    SollicitationForm,
)
from partenariats.models import Sollicitation
from partenariats.selectors_sollicitations import chiffres_sollicitations
from partenariats.services.sollicitations import (
    NIVEAU_PAR_NATURE,
    TYPE_PAR_NATURE,
    construction_pour,
    sollicitation_accepter,
    sollicitation_creer,
    sollicitation_decider,
    sollicitation_deja_creee,
    sollicitation_modifier,
)
from reseau.access import CentreMixin
from reseau.enums import Role

OUVERTES = Q(decision__in=[DecisionSollicitation.A_DECIDER, DecisionSollicitation.NEGOCIER])
# The list's tabs: (value of ?etat=, label). The first is the default.
ETATS = [
    ("a-traiter", gettext_lazy("À traiter")),
    ("decidees", gettext_lazy("Décidées")),
    ("toutes", gettext_lazy("Toutes")),
]


class SollicitationListView(CentreMixin, ListView):
    """Open requests first by deadline (none last), overdue and near ones flagged; a tab for
    the decided ones; the year's figures on top."""

    model = Sollicitation
    template_name = "partenariats/sollicitation_liste.html"
    context_object_name = "sollicitations"
    paginate_by = 50

    def etat(self):
        demande = self.request.GET.get("etat")
        return demande if demande in dict(ETATS) else ETATS[0][0]

    def get_queryset(self):
        queryset = super().get_queryset().select_related("demandeur")
        etat = self.etat()
        if etat == "a-traiter":
            return queryset.filter(OUVERTES).order_by(
                F("echeance").asc(nulls_last=True), "recue_le", "pk"
            )
        if etat == "decidees":
            return queryset.exclude(OUVERTES).order_by(
                F("decidee_le").desc(nulls_last=True), "-recue_le", "-pk"
            )
        return queryset.order_by("-recue_le", "-pk")

    def paginate_queryset(self, queryset, page_size):
        # A page out of range (an old bookmark) shows the last one rather than a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        aujourd_hui = timezone.localdate()
        nombres = Sollicitation.objects.for_centre(self.centre).aggregate(
            **{
                "a-traiter": Count("pk", filter=OUVERTES),
                "decidees": Count("pk", filter=~OUVERTES),
                "toutes": Count("pk"),
            }
        )
        return super().get_context_data(
            etat_actif=self.etat(),
            etats=[(valeur, libelle, nombres[valeur]) for valeur, libelle in ETATS],
            chiffres=chiffres_sollicitations(self.centre, aujourd_hui.year),
            aujourd_hui=aujourd_hui,
            bientot=aujourd_hui + DELAI_ECHEANCE,
            **kwargs,
        )


class SollicitationDetailView(CentreMixin, DetailView):
    model = Sollicitation
    template_name = "partenariats/sollicitation_detail.html"
    context_object_name = "sollicitation"

    def get_queryset(self):
        return super().get_queryset().select_related("demandeur", "decidee_par", "partenariat")

    def get_context_data(self, **kwargs):
        aujourd_hui = timezone.localdate()
        return super().get_context_data(
            aujourd_hui=aujourd_hui, bientot=aujourd_hui + DELAI_ECHEANCE, **kwargs
        )


def _erreurs_vers_formulaire(form, erreur):
    """A service's ValidationError shown on the form, by field when it names one the form
    has."""
    if hasattr(erreur, "error_dict"):
        for champ, liste in erreur.error_dict.items():
            form.add_error(champ if champ in form.fields else None, liste)
    else:
        form.add_error(None, erreur)


class _FormulaireMixin(CentreMixin):
    min_role = Role.SALARIE
    model = Sollicitation
    template_name = "partenariats/sollicitation_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "centre": self.centre}

    def get_initial(self):
        # Back from creating the sender's fiche (partenariats:creer?suivant=…), it is chosen;
        # an id that is not one of the centre's partners selects nothing.
        initial = super().get_initial()
        if self.request.GET.get("partenaire", "").isdigit():
            initial["demandeur"] = int(self.request.GET["partenaire"])
        return initial


class SollicitationCreateView(_FormulaireMixin, CreateView):
    form_class = SollicitationCreationForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(sollicitation=None, **kwargs)

    def form_valid(self, form):
        champs = form.cleaned_data
        deja = sollicitation_deja_creee(centre=self.centre, cle_creation=champs["cle_creation"])
        if deja is not None:
            return HttpResponseRedirect(deja.get_absolute_url())
        try:
            self.object = sollicitation_creer(centre=self.centre, par=self.request.user, **champs)
        except ValidationError as erreur:
            _erreurs_vers_formulaire(form, erreur)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Demande enregistrée : %(objet)s. Elle est à décider.")
            % {"objet": self.object.objet},
        )
        return HttpResponseRedirect(self.object.get_absolute_url())


class SollicitationUpdateView(_FormulaireMixin, UpdateView):
    form_class = SollicitationForm
    context_object_name = "sollicitation"

    def form_valid(self, form):
        try:
            self.object = sollicitation_modifier(
                sollicitation=self.object, par=self.request.user, **form.cleaned_data
            )
        except ValidationError as erreur:
            _erreurs_vers_formulaire(form, erreur)
            return self.form_invalid(form)
        messages.success(self.request, _("Demande enregistrée."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class _DecisionMixin(CentreMixin, SingleObjectMixin):
    """A decision on one request: not once it became a partnership."""

    min_role = Role.SALARIE
    model = Sollicitation
    context_object_name = "sollicitation"

    def get_queryset(self):
        return super().get_queryset().select_related("demandeur", "partenariat")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.partenariat_id is not None:
            messages.info(request, _("Cette demande est acceptée : le partenariat en est issu."))
            return HttpResponseRedirect(self.object.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.partenariat_id is not None:
            # The same form sent twice: the first one did it.
            messages.info(request, _("Cette demande est acceptée : le partenariat en est issu."))
            return HttpResponseRedirect(self.object.get_absolute_url())
        return super().post(request, *args, **kwargs)


class SollicitationDeciderView(_DecisionMixin, FormView):
    """Negotiate or decline, with the reason the centre gives."""

    form_class = DecisionForm
    template_name = "partenariats/sollicitation_decider.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "sollicitation": self.object}

    def form_valid(self, form):
        try:
            sollicitation = sollicitation_decider(
                sollicitation=self.object,
                decision=form.cleaned_data["decision"],
                raison=form.cleaned_data["raison"],
                le=form.cleaned_data["decidee_le"],
                par=self.request.user,
            )
        except ValidationError as erreur:
            _erreurs_vers_formulaire(form, erreur)
            return self.form_invalid(form)
        if sollicitation.decision == DecisionSollicitation.DECLINER:
            messages.success(self.request, _("Demande déclinée. La raison est enregistrée."))
        else:
            messages.success(
                self.request, _("Demande en négociation. Elle reste dans les demandes à traiter.")
            )
        return HttpResponseRedirect(sollicitation.get_absolute_url())


class SollicitationAccepterView(_DecisionMixin, FormView):
    """Accepting makes the partnership in the same step: a form prefilled from the request
    (partner, purpose, a type and a level guessed from its nature, how it was built)."""

    form_class = AcceptationForm
    template_name = "partenariats/sollicitation_accepter.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "sollicitation": self.object, "centre": self.centre}

    def get_initial(self):
        sollicitation = self.object
        aujourd_hui = timezone.localdate()
        return {
            "objet": sollicitation.objet,
            "type": TYPE_PAR_NATURE[sollicitation.nature],
            "niveau": NIVEAU_PAR_NATURE[sollicitation.nature],
            "horizon": Horizon.MOYEN,
            "referent": self.request.user.pk,
            "debut": aujourd_hui,
            "construction": construction_pour(sollicitation),
            "decidee_le": aujourd_hui,
        }

    def form_valid(self, form):
        try:
            sollicitation = sollicitation_accepter(
                sollicitation=self.object,
                par=self.request.user,
                raison=form.cleaned_data["raison"],
                le=form.cleaned_data["decidee_le"],
                **form.partenariat,
            )
        except ValidationError as erreur:
            _erreurs_vers_formulaire(form, erreur)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Demande acceptée : le partenariat est créé et relié à la demande.")
        )
        return HttpResponseRedirect(sollicitation.get_absolute_url())
