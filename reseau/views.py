from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DeleteView, FormView, ListView, TemplateView, UpdateView

from reseau import services
from reseau.access import CentreMixin
from reseau.accueil import rappels
from reseau.enums import Role
from reseau.forms import (
    ChoixCentreForm,
    InvitationMembreForm,
    ProfilForm,
    ReinitialisationMotDePasseForm,
    RoleMembreForm,
)
from reseau.middleware import SESSION_KEY
from reseau.models import Membre


class AccueilView(TemplateView):
    template_name = "reseau/accueil.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        centre = self.request.centre
        context["federations"] = [
            (
                coordination.federation,
                coordination.federation.centres.annotate(nb_membres=Count("membres")),
            )
            for coordination in user.coordinations.select_related("federation")
        ]
        if centre is not None:
            context["nb_membres"] = Membre.objects.for_centre(centre).count()
            context["rappels"] = rappels(self.request)
        return context


class ChangerCentreView(View):
    """Switches the current centre. Back to the home page: the page the user was on may show
    an object of the previous centre, which is now a 404."""

    http_method_names = ["post"]

    def post(self, request):
        form = ChoixCentreForm(request.POST)
        choisi = None
        if form.is_valid():
            choisi = next(
                (m for m in request.membres if m.centre_id == form.cleaned_data["centre"]), None
            )
        if choisi is None:
            raise Http404
        request.session[SESSION_KEY] = choisi.centre_id
        messages.success(
            request,
            _("Vous travaillez maintenant dans ce centre : %(centre)s.")
            % {"centre": choisi.centre},
        )
        return redirect("accueil")


class MembresView(CentreMixin, ListView):
    min_role = Role.ADMIN
    model = Membre
    template_name = "reseau/membres.html"
    context_object_name = "membres"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["roles"] = Role.choices
        return context


class InviterMembreView(CentreMixin, FormView):
    min_role = Role.ADMIN
    form_class = InvitationMembreForm
    template_name = "reseau/inviter_membre.html"
    success_url = reverse_lazy("reseau:membres")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "centre": self.centre}

    def form_valid(self, form):
        try:
            membre = services.membre_inviter(
                centre=self.centre, par=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Invitation envoyée à %(email)s.") % {"email": membre.user.email},
        )
        return super().form_valid(form)


class ChangerRoleView(CentreMixin, UpdateView):
    min_role = Role.ADMIN
    model = Membre
    form_class = RoleMembreForm
    http_method_names = ["post"]
    success_url = reverse_lazy("reseau:membres")

    def form_valid(self, form):
        try:
            services.membre_changer_role(
                membre=self.object, role=form.cleaned_data["role"], par=self.request.user
            )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        else:
            messages.success(
                self.request,
                _("%(membre)s est maintenant « %(role)s ».")
                % {"membre": self.object.user, "role": self.object.get_role_display()},
            )
        return HttpResponseRedirect(self.success_url)

    def form_invalid(self, form):
        messages.error(self.request, _("Choisissez un rôle dans la liste."))
        return HttpResponseRedirect(self.success_url)


class RetirerMembreView(CentreMixin, DeleteView):
    """GET asks for confirmation; POST removes the member from the centre."""

    min_role = Role.ADMIN
    model = Membre
    template_name = "reseau/retirer_membre.html"
    context_object_name = "membre"
    success_url = reverse_lazy("reseau:membres")

    def get_queryset(self):
        return super().get_queryset().select_related("user")

    def form_valid(self, form):
        try:
            services.membre_retirer(membre=self.object, par=self.request.user)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        else:
            messages.success(
                self.request, _("%(membre)s a été retiré du centre.") % {"membre": self.object.user}
            )
        return HttpResponseRedirect(self.success_url)


class ProfilView(UpdateView):
    form_class = ProfilForm
    template_name = "reseau/profil.html"
    success_url = reverse_lazy("profil")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        messages.success(self.request, _("Vos informations ont été enregistrées."))
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class DonneesPersonnellesView(TemplateView):
    template_name = "reseau/donnees_personnelles.html"


class ReinitialisationMotDePasseView(auth_views.PasswordResetView):
    """Django's view; the form needs the request for its rate limits."""

    form_class = ReinitialisationMotDePasseForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
