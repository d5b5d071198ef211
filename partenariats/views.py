from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, OuterRef, Prefetch, Subquery, When
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView, View
from django.views.generic.detail import SingleObjectMixin

from commun.listes import ListeFiltreeMixin
from partenariats.enums import StatutPartenariat
from partenariats.filters import directory_filter
from partenariats.forms import ContactForm, PartenaireCreationForm, PartenaireForm
from partenariats.models import Contact, Partenaire, Theme
from partenariats.selectors import doublons_probables, partenaire_chronologie
from partenariats.services.annuaire import (
    contact_creer,
    contact_garder,
    contact_modifier,
    contact_supprimer,
    partenaire_archiver,
    partenaire_creer,
    partenaire_deja_cree,
    partenaire_modifier,
)
from reseau.access import CentreMixin
from reseau.enums import Role


class PartenaireListView(CentreMixin, ListeFiltreeMixin, ListView):
    model = Partenaire
    template_name = "partenariats/partenaire_liste.html"
    context_object_name = "partenaires"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = directory_filter(self.request, self.centre)
        # A correlated subquery, not Count("contacts"): a GROUP BY would make PostgreSQL
        # aggregate the whole directory before keeping the 50 rows of the page.
        nb_contacts = (
            Contact.objects.filter(partenaire=OuterRef("pk"))
            .order_by()
            .values("partenaire")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.filterset.qs.annotate(
            nb_contacts=Coalesce(Subquery(nb_contacts), 0)
        ).prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("ordre")))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nb_contacts_proposes"] = Contact.objects.for_centre(self.centre).proposes().count()
        return context


class PartenaireDetailView(CentreMixin, DetailView):
    model = Partenaire
    template_name = "partenariats/partenaire_detail.html"
    context_object_name = "partenaire"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("themes", queryset=Theme.objects.order_by("ordre")),
                Prefetch("contacts", queryset=Contact.objects.order_by("nom", "prenom")),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["chronologie"] = partenaire_chronologie(self.object)
        # Ended partnerships last: the page is about what the centre does with the partner now.
        termine = Case(When(statut=StatutPartenariat.TERMINE, then=1), default=0)
        context["partenariats"] = self.object.partenariats.select_related("referent").order_by(
            termine, "type", "-debut", "pk"
        )
        return context


class PartenaireCreateView(CentreMixin, CreateView):
    """Creating a partner that probably exists already asks for a confirmation first.

    From another form that needs the partner (a request received whose sender is not in the
    directory yet), ``?suivant=<path>`` leads back there with ``?partenaire=<id>`` once the
    fiche is made."""

    min_role = Role.SALARIE
    model = Partenaire
    form_class = PartenaireCreationForm
    template_name = "partenariats/partenaire_form.html"

    def suivant(self):
        suivant = self.request.GET.get("suivant", "")
        # A path of this site only: the parameter comes from a link anyone could forge.
        if suivant.startswith("/") and url_has_allowed_host_and_scheme(
            suivant, allowed_hosts={self.request.get_host()}
        ):
            return suivant
        return ""

    def apres_creation(self, partenaire):
        suivant = self.suivant()
        if not suivant:
            return HttpResponseRedirect(partenaire.get_absolute_url())
        separateur = "&" if "?" in suivant else "?"
        return HttpResponseRedirect(f"{suivant}{separateur}partenaire={partenaire.pk}")

    def get_context_data(self, **kwargs):
        return super().get_context_data(suivant=self.suivant(), **kwargs)

    def form_valid(self, form):
        # The same form sent twice (a double click, a reload): show the partner it made.
        deja = partenaire_deja_cree(
            centre=self.centre, cle_creation=form.cleaned_data.get("cle_creation")
        )
        if deja is not None:
            return self.apres_creation(deja)
        doublons = doublons_probables(
            centre=self.centre,
            nom=form.cleaned_data["nom"],
            commune=form.cleaned_data.get("commune", ""),
            siret=form.cleaned_data.get("siret", ""),
        )
        if doublons and not self.request.POST.get("confirmer_doublon"):
            return self.render_to_response(self.get_context_data(form=form, doublons=doublons))
        self.object = partenaire_creer(centre=self.centre, **form.cleaned_data)
        messages.success(self.request, _("Fiche créée : %(nom)s.") % {"nom": self.object})
        return self.apres_creation(self.object)


class PartenaireUpdateView(CentreMixin, UpdateView):
    min_role = Role.SALARIE
    model = Partenaire
    form_class = PartenaireForm
    template_name = "partenariats/partenaire_form.html"

    def form_valid(self, form):
        self.object = partenaire_modifier(partenaire=self.object, **form.cleaned_data)
        messages.success(self.request, _("Fiche enregistrée : %(nom)s.") % {"nom": self.object})
        return HttpResponseRedirect(self.object.get_absolute_url())


class PartenaireArchiveView(CentreMixin, SingleObjectMixin, View):
    """POST archives or restores a partner; a partner is never deleted, its history stays."""

    min_role = Role.SALARIE
    model = Partenaire
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        partenaire = self.get_object()
        archiver = not partenaire.archive
        partenaire_archiver(partenaire=partenaire, archive=archiver)
        if archiver:
            messages.success(
                request,
                _(
                    "Fiche archivée : elle n'apparaît plus dans l'annuaire ni dans le livret "
                    "(%(nom)s)."
                )
                % {"nom": partenaire},
            )
        else:
            messages.success(request, _("Fiche de nouveau active : %(nom)s.") % {"nom": partenaire})
        return HttpResponseRedirect(partenaire.get_absolute_url())


class ContactMixin(CentreMixin):
    min_role = Role.SALARIE
    model = Contact
    form_class = ContactForm
    template_name = "partenariats/contact_form.html"

    def get_success_url(self):
        return self.object.partenaire.get_absolute_url() + "#contacts"


class ContactCreateView(ContactMixin, CreateView):
    # The URL names the partner; tests/test_access.py creates one of these in another centre.
    url_object_model = Partenaire

    def get_partenaire(self):
        return get_object_or_404(Partenaire.objects.for_centre(self.centre), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(partenaire=self.get_partenaire(), **kwargs)

    def form_valid(self, form):
        self.object = contact_creer(partenaire=self.get_partenaire(), **form.cleaned_data)
        messages.success(self.request, _("Contact ajouté."))
        return HttpResponseRedirect(self.get_success_url())

    def get(self, request, *args, **kwargs):
        self.get_partenaire()
        return super().get(request, *args, **kwargs)


class ContactUpdateView(ContactMixin, UpdateView):
    def get_queryset(self):
        return super().get_queryset().select_related("partenaire")

    def get_context_data(self, **kwargs):
        return super().get_context_data(partenaire=self.object.partenaire, **kwargs)

    def form_valid(self, form):
        self.object = contact_modifier(contact=self.object, **form.cleaned_data)
        messages.success(self.request, _("Contact enregistré."))
        return HttpResponseRedirect(self.get_success_url())


class ContactDeleteView(CentreMixin, DeleteView):
    """Asks, then deletes. From the review of proposed contacts (``?retour=proposes``), the
    page leads back there."""

    min_role = Role.SALARIE
    model = Contact
    template_name = "partenariats/contact_supprimer.html"
    context_object_name = "contact"

    def get_queryset(self):
        return super().get_queryset().select_related("partenaire")

    def get_success_url(self):
        if self.request.GET.get("retour") == "proposes":
            return reverse("partenariats:contacts_proposes")
        return reverse("partenariats:detail", args=[self.object.partenaire_id]) + "#contacts"

    def get_context_data(self, **kwargs):
        return super().get_context_data(retour=self.get_success_url(), **kwargs)

    def form_valid(self, form):
        try:
            contact_supprimer(contact=self.object)
        except ValidationError as erreur:
            for message in erreur.messages:
                messages.error(self.request, message)
        else:
            messages.success(self.request, _("Contact supprimé."))
        return HttpResponseRedirect(self.get_success_url())


class ContactsProposesView(CentreMixin, ListView):
    """The contacts partners added (colleagues sent in their place from a café invitation)
    that staff have not reviewed yet, oldest first. Every member reads it; staff keep or
    delete them."""

    model = Contact
    template_name = "partenariats/contacts_proposes.html"
    context_object_name = "contacts"
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .proposes()
            .select_related("partenaire", "propose_par")
            .order_by("propose_le", "pk")
        )


class ContactGarderView(CentreMixin, SingleObjectMixin, View):
    """POST keeps a contact a partner proposed (``contact_garder``)."""

    min_role = Role.SALARIE
    model = Contact
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        contact = contact_garder(contact=self.get_object(), par=request.user)
        messages.success(request, _("Contact gardé dans l'annuaire : %(nom)s.") % {"nom": contact})
        return HttpResponseRedirect(reverse("partenariats:contacts_proposes"))
