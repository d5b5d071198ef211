"""Funding agreements: the list with its totals, an agreement's page, its form with the amounts
per year, its deletion and its signed document.

Every member reads them and opens the documents; staff write. The document is never served
from MEDIA_URL: only ``ConventionDocumentView`` reads it, scoped to the current centre.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DeleteView, DetailView, ListView, View
from django.views.generic.base import ContextMixin, TemplateResponseMixin
from django.views.generic.detail import SingleObjectMixin

from commun.creation import CreationUniqueMixin
from commun.fichiers import reponse_fichier
from partenariats.enums import StatutConvention
from partenariats.filters_conventions import ConventionFilter
from partenariats.forms_conventions import PREFIXE_MONTANTS, ConventionForm, MontantFormSet
from partenariats.models import Convention
from partenariats.selectors_conventions import avec_montants, total_convention, totaux_conventions
from partenariats.services.conventions import (
    convention_creer,
    convention_modifier,
    convention_supprimer,
)
from reseau.access import CentreMixin
from reseau.enums import Role
from reseau.pagination import page_de

PAR_PAGE = 50
# The buttons of the form that reshape the amounts' rows instead of saving.
AJOUTER, RETIRER = "ajouter_annee", "retirer_annee"


class ConventionListView(CentreMixin, ListView):
    """The centre's agreements, filtered, and below them the totals per funder and per year
    of all those the filters keep (not only the page's)."""

    model = Convention
    template_name = "partenariats/conventions/liste.html"

    def get_queryset(self):
        self.filterset = ConventionFilter(
            self.request.GET,
            queryset=Convention.objects.for_centre(self.centre),
            centre=self.centre,
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filtrees = self.object_list
        page = page_de(
            self.request,
            avec_montants(filtrees).order_by("-debut", "financeur__nom_tri", "pk"),
            par_page=PAR_PAGE,
        )
        for convention in page.object_list:
            convention.total = total_convention(convention)
        form = self.filterset.form
        context.update(
            filter=self.filterset,
            page_obj=page,
            conventions=page.object_list,
            nb_conventions=page.paginator.count,
            totaux=totaux_conventions(filtrees, annee=self.filterset.annee_choisie),
            annee=self.filterset.annee_choisie,
            nb_refusees=filtrees.filter(statut=StatutConvention.REFUSEE).count(),
            filtres_actifs=any(form.cleaned_data.get(nom) for nom in form.fields),
            # A value that no longer exists (an old bookmark) is dropped; the page says so.
            valeurs_ignorees=[
                _("Filtre « %(filtre)s » : cette valeur n'existe plus, le filtre est ignoré.")
                % {"filtre": form[nom].label}
                for nom in form.errors
                if nom in form.fields
            ],
        )
        return context


class ConventionDetailView(CentreMixin, DetailView):
    model = Convention
    template_name = "partenariats/conventions/detail.html"
    context_object_name = "convention"

    def get_queryset(self):
        return avec_montants(super().get_queryset())

    def get_context_data(self, **kwargs):
        return super().get_context_data(total=total_convention(self.object), **kwargs)


def _url_projet(pk):
    """The project's page, once the projects' pages exist; None before."""
    try:
        return reverse("partenariats:projet_detail", args=[pk])
    except NoReverseMatch:
        return None


class ConventionFormMixin(CentreMixin, TemplateResponseMixin, ContextMixin):
    """The agreement's form and its amounts per year, on one page.

    "Ajouter une année" and "Retirer" send the form to show it again with one row more or
    less, saving nothing and keeping what was typed (a file chosen must be chosen again
    without JavaScript; with it, htmx swaps the amounts alone and the rest of the page stays
    as it is). "Enregistrer" checks everything and saves through the service.
    """

    min_role = Role.SALARIE
    model = Convention
    template_name = "partenariats/conventions/form.html"

    def get_objet(self):
        return None

    def instance(self):
        return self.object or Convention(centre=self.centre)

    def initial(self):
        return {}

    def lignes_initiales(self):
        return []

    def retour(self):
        return reverse("partenariats:convention_liste")

    def get(self, request, *args, **kwargs):
        self.object = self.get_objet()
        form = ConventionForm(centre=self.centre, instance=self.instance(), initial=self.initial())
        formset = MontantFormSet(prefix=PREFIXE_MONTANTS, initial=self.lignes_initiales())
        return self.afficher(form, formset)

    def post(self, request, *args, **kwargs):
        self.object = self.get_objet()
        if AJOUTER in request.POST or RETIRER in request.POST:
            return self.recomposer()
        form = ConventionForm(
            request.POST, request.FILES, centre=self.centre, instance=self.instance()
        )
        formset = MontantFormSet(request.POST, prefix=PREFIXE_MONTANTS)
        # The years are checked against the dates as soon as both dates are valid, even if
        # another field is not: every error shows at once.
        form.is_valid()
        formset.periode = form.periode()
        # Both checked, so that every error shows at once.
        if all([form.is_valid(), formset.is_valid()]):
            champs = {nom: form.cleaned_data[nom] for nom in ConventionForm.Meta.fields}
            try:
                convention = self.enregistrer(form, formset.montants(), champs)
            except ValidationError as erreur:
                for champ, liste in erreur.message_dict.items():
                    form.add_error(champ if champ in form.fields else None, liste)
            else:
                messages.success(
                    request, _("Convention enregistrée : %(objet)s.") % {"objet": convention.objet}
                )
                return HttpResponseRedirect(convention.get_absolute_url())
        return self.afficher(form, formset)

    def recomposer(self):
        """The form again, as typed, with a row added or removed."""
        post = self.request.POST
        try:
            nombre = min(int(post.get(f"{PREFIXE_MONTANTS}-TOTAL_FORMS", 0)), 50)
        except ValueError:
            nombre = 0
        lignes = [
            {
                "annee": post.get(f"{PREFIXE_MONTANTS}-{n}-annee", ""),
                "montant": post.get(f"{PREFIXE_MONTANTS}-{n}-montant", ""),
            }
            for n in range(max(nombre, 0))
        ]
        focus = "ajouter"
        if RETIRER in post:
            rang = post[RETIRER]
            if rang.isdigit() and int(rang) < len(lignes):
                del lignes[int(rang)]
        elif len(lignes) < 50:
            lignes.append({"annee": self.annee_suivante(lignes), "montant": ""})
            focus = len(lignes) - 1
        form = ConventionForm(
            centre=self.centre,
            instance=self.instance(),
            initial={nom: post[nom] for nom in ConventionForm.base_fields if nom in post},
        )
        formset = MontantFormSet(prefix=PREFIXE_MONTANTS, initial=lignes)
        if isinstance(focus, int):
            formset.forms[focus].fields["annee"].widget.attrs["autofocus"] = True
        return self.afficher(form, formset, focus=focus)

    def annee_suivante(self, lignes):
        """The year after the last one typed, else the start's year, else this year."""
        annees = [int(ligne["annee"]) for ligne in lignes if ligne["annee"].isdigit()]
        if annees:
            return str(max(annees) + 1)
        try:
            return str(date.fromisoformat(self.request.POST.get("debut", "")).year)
        except ValueError:
            return str(timezone.localdate().year)

    def afficher(self, form, formset, focus=None):
        return self.render_to_response(
            self.get_context_data(
                form=form,
                formset=formset,
                focus=focus,
                convention=self.object,
                retour=self.retour(),
                erreurs=self.request.method == "POST"
                and focus is None
                and (form.errors or any(formset.errors) or formset.non_form_errors()),
            )
        )


class ConventionCreateView(CreationUniqueMixin, ConventionFormMixin, View):
    """A new agreement; ``?projet=<pk>`` and ``?financeur=<pk>`` choose the project and the
    funder beforehand (from their pages)."""

    def url_liste(self):
        return reverse("partenariats:convention_liste")

    def initial(self):
        return {
            nom: valeur
            for nom in ("projet", "financeur")
            if (valeur := self.request.GET.get(nom, "")).isdigit()
        }

    def lignes_initiales(self):
        # One empty row to start: a row left empty is ignored.
        return [{}]

    def retour(self):
        projet = self.request.GET.get("projet", "")
        financeur = self.request.GET.get("financeur", "")
        if projet.isdigit() and (url := _url_projet(projet)):
            return url
        if financeur.isdigit():
            return reverse("partenariats:detail", args=[financeur])
        return super().retour()

    def enregistrer(self, form, montants, champs):
        return convention_creer(
            centre=self.centre, montants=montants, document=form.cleaned_data["document"], **champs
        )


class ConventionUpdateView(ConventionFormMixin, SingleObjectMixin, View):
    def get_objet(self):
        return self.get_object()

    def lignes_initiales(self):
        return [
            {"annee": montant.annee, "montant": montant.montant}
            for montant in self.object.montants.order_by("annee")
        ]

    def retour(self):
        return self.object.get_absolute_url()

    def enregistrer(self, form, montants, champs):
        return convention_modifier(
            convention=self.object,
            montants=montants,
            document=form.cleaned_data["document"],
            retirer_document=form.cleaned_data.get("retirer_document", False),
            **champs,
        )


class ConventionDeleteView(CentreMixin, DeleteView):
    """Asks, then deletes the agreement, its amounts and its document."""

    min_role = Role.SALARIE
    model = Convention
    template_name = "partenariats/conventions/supprimer.html"
    context_object_name = "convention"

    def get_queryset(self):
        return avec_montants(super().get_queryset())

    def get_context_data(self, **kwargs):
        return super().get_context_data(total=total_convention(self.object), **kwargs)

    def form_valid(self, form):
        objet = self.object.objet
        convention_supprimer(convention=self.object)
        messages.success(self.request, _("Convention supprimée : %(objet)s.") % {"objet": objet})
        return HttpResponseRedirect(reverse("partenariats:convention_liste"))


class ConventionDocumentView(CentreMixin, SingleObjectMixin, View):
    """The signed agreement, shown in the browser, to the centre's members only."""

    model = Convention
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        convention = self.get_object()
        if convention.document:
            try:
                return reponse_fichier(
                    convention.document, convention.document_nom or "convention.pdf"
                )
            except FileNotFoundError:
                messages.error(
                    request,
                    _(
                        "Le document de cette convention est introuvable sur le serveur : "
                        "déposez-le à nouveau."
                    ),
                )
        else:
            messages.info(request, _("Aucun document n'est enregistré pour cette convention."))
        return HttpResponseRedirect(convention.get_absolute_url())
