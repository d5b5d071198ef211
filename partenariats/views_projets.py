"""Pages of projects and actions (services in ``partenariats.services.projets``): the list, a
project with its partners by RACI role, freins et leviers and bilans, the RACI table (page and
PDF), the bilans (page and PDF) and their pieces.

Every member of the centre reads; staff (``Role.SALARIE``) change. Objects of another centre
are a 404, through ``CentreMixin``'s scoped querysets.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView, View
from django.views.generic.detail import SingleObjectMixin

from commun.creation import CreationUniqueMixin
from commun.fichiers import reponse_fichier
from partenariats.enums import GenreProjet
from partenariats.forms_projets import (
    BilanForm,
    ParticipationForm,
    PieceForm,
    ProjetFiltreForm,
    ProjetForm,
    chiffres_formset,
)
from partenariats.models import Bilan, ParticipationProjet, PieceBilan, Projet
from partenariats.pdf_projets import (
    bilan_nom_de_fichier,
    bilan_pdf,
    raci_nom_de_fichier,
    raci_pdf,
)
from partenariats.selectors_projets import (
    bilans_du_projet,
    legende_raci,
    par_role,
    participations_du_projet,
    projets_liste,
)
from partenariats.services.projets import (
    bilan_creer,
    bilan_modifier,
    bilan_supprimer,
    participation_ajouter,
    participation_modifier,
    participation_retirer,
    piece_ajouter,
    piece_retirer,
    projet_creer,
    projet_modifier,
    projet_supprimer,
)
from reseau.access import CentreMixin
from reseau.enums import Role
from reseau.pagination import page_de

PAR_PAGE = 50
CREE = {
    GenreProjet.PROJET: gettext_lazy("Projet créé : %(titre)s."),
    GenreProjet.ACTION: gettext_lazy("Action créée : %(titre)s."),
}
SUPPRIME = {
    GenreProjet.PROJET: gettext_lazy("Projet supprimé : %(titre)s."),
    GenreProjet.ACTION: gettext_lazy("Action supprimée : %(titre)s."),
}


def _pdf(contenu, nom):
    response = HttpResponse(contenu, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{nom}"'
    return response


def _erreurs_sur_le_formulaire(form, erreur):
    """A service's ValidationError shown on the form, field by field when it names them."""
    if hasattr(erreur, "error_dict"):
        for champ, liste in erreur.error_dict.items():
            form.add_error(champ if champ in form.fields else None, liste)
    else:
        form.add_error(None, erreur)


# --- Projects -----------------------------------------------------------------------------


class ProjetListView(CentreMixin, ListView):
    model = Projet
    template_name = "partenariats/projets/projet_liste.html"
    context_object_name = "projets"

    def get_queryset(self):
        self.filtres = ProjetFiltreForm(self.request.GET)
        return projets_liste(self.filtres.filtrer(super().get_queryset()))

    def get_context_data(self, **kwargs):
        page = page_de(self.request, self.object_list, par_page=PAR_PAGE)
        return super().get_context_data(
            filtres=self.filtres,
            page_obj=page,
            projets=page.object_list,
            filtres_actifs=any(self.request.GET.get(champ) for champ in self.filtres.fields),
            **kwargs,
        )


class ProjetDetailView(CentreMixin, DetailView):
    model = Projet
    template_name = "partenariats/projets/projet_detail.html"
    context_object_name = "projet"

    def get_queryset(self):
        return super().get_queryset().select_related("porteur")

    def get_context_data(self, **kwargs):
        participations = participations_du_projet(self.object)
        return super().get_context_data(
            groupes=par_role(participations),
            participations=participations,
            bilans=bilans_du_projet(self.object),
            **kwargs,
        )


class ProjetFormMixin(CentreMixin):
    min_role = Role.SALARIE
    model = Projet
    form_class = ProjetForm
    template_name = "partenariats/projets/projet_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "centre": self.centre}

    def form_valid(self, form):
        try:
            self.object = self.enregistrer(form.cleaned_data)
        except ValidationError as erreur:
            _erreurs_sur_le_formulaire(form, erreur)
            return self.form_invalid(form)
        messages.success(self.request, self.message % {"titre": self.object.titre})
        return HttpResponseRedirect(self.object.get_absolute_url())


class ProjetCreateView(CreationUniqueMixin, ProjetFormMixin, CreateView):
    def url_liste(self):
        return reverse("partenariats:projet_liste")

    def enregistrer(self, donnees):
        projet = projet_creer(centre=self.centre, **donnees)
        self.message = CREE[projet.genre]
        return projet


class ProjetUpdateView(ProjetFormMixin, UpdateView):
    message = gettext_lazy("Modifications enregistrées : %(titre)s.")

    def enregistrer(self, donnees):
        return projet_modifier(projet=self.object, **donnees)


class ProjetDeleteView(CentreMixin, DeleteView):
    """Asks, saying what goes with the project, then deletes it."""

    min_role = Role.SALARIE
    model = Projet
    template_name = "partenariats/projets/projet_supprimer.html"
    context_object_name = "projet"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            nb_bilans=self.object.bilans.count(),
            nb_partenaires=self.object.participations.count(),
            **kwargs,
        )

    def form_valid(self, form):
        projet_supprimer(projet=self.object)
        messages.success(self.request, SUPPRIME[self.object.genre] % {"titre": self.object.titre})
        return HttpResponseRedirect(reverse("partenariats:projet_liste"))


class RaciView(CentreMixin, DetailView):
    """The RACI table of a project: who is Responsable, Approbateur, Consulté, Informé."""

    model = Projet
    template_name = "partenariats/projets/raci.html"
    context_object_name = "projet"

    def get_queryset(self):
        return super().get_queryset().select_related("porteur")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            participations=participations_du_projet(self.object), legende=legende_raci(), **kwargs
        )


class RaciPdfView(CentreMixin, SingleObjectMixin, View):
    """The RACI table as an A4 landscape PDF, shown in the browser; any member may print it."""

    model = Projet
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("porteur", "centre")

    def get(self, request, *args, **kwargs):
        projet = self.get_object()
        return _pdf(raci_pdf(projet), raci_nom_de_fichier(projet))


# --- Partners in a project ----------------------------------------------------------------


class ParticipationCreateView(CentreMixin, CreateView):
    min_role = Role.SALARIE
    model = ParticipationProjet
    # The URL names the project; tests/test_access.py makes one in another centre.
    url_object_model = Projet
    form_class = ParticipationForm
    template_name = "partenariats/projets/participation_form.html"

    def get_projet(self):
        if not hasattr(self, "projet"):
            self.projet = get_object_or_404(
                Projet.objects.for_centre(self.centre), pk=self.kwargs["pk"]
            )
        return self.projet

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "projet": self.get_projet()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(projet=self.get_projet(), **kwargs)

    def form_valid(self, form):
        try:
            participation = participation_ajouter(projet=self.get_projet(), **form.cleaned_data)
        except ValidationError as erreur:
            _erreurs_sur_le_formulaire(form, erreur)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Partenaire ajouté au projet : %(nom)s (%(role)s).")
            % {"nom": participation.partenaire.nom, "role": participation.get_role_display()},
        )
        return HttpResponseRedirect(self.get_projet().get_absolute_url() + "#partenaires")


class ParticipationMixin(CentreMixin):
    min_role = Role.SALARIE
    model = ParticipationProjet
    context_object_name = "participation"

    def get_queryset(self):
        return super().get_queryset().select_related("projet", "partenaire")

    def get_success_url(self):
        return self.object.projet.get_absolute_url() + "#partenaires"


class ParticipationUpdateView(ParticipationMixin, UpdateView):
    form_class = ParticipationForm
    template_name = "partenariats/projets/participation_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "projet": self.object.projet}

    def get_context_data(self, **kwargs):
        return super().get_context_data(projet=self.object.projet, **kwargs)

    def form_valid(self, form):
        participation_modifier(participation=self.object, **form.cleaned_data)
        messages.success(
            self.request,
            _("Place dans le projet enregistrée : %(nom)s.") % {"nom": self.object.partenaire.nom},
        )
        return HttpResponseRedirect(self.get_success_url())


class ParticipationDeleteView(ParticipationMixin, DeleteView):
    template_name = "partenariats/projets/participation_retirer.html"

    def form_valid(self, form):
        participation_retirer(participation=self.object)
        messages.success(
            self.request,
            _("Retiré du projet : %(nom)s.") % {"nom": self.object.partenaire.nom},
        )
        return HttpResponseRedirect(self.get_success_url())


# --- Bilans -------------------------------------------------------------------------------


class BilanFormMixin(CentreMixin):
    """A bilan's date, title and text with its figures (a formset): both are checked and saved
    together, and an error in either shows both again as typed."""

    min_role = Role.SALARIE
    template_name = "partenariats/projets/bilan_form.html"

    def afficher(self, form, chiffres):
        return render(
            self.request,
            self.template_name,
            {"form": form, "chiffres": chiffres, "projet": self.projet, "bilan": self.bilan},
        )

    def post(self, request, *args, **kwargs):
        self.preparer()
        form = BilanForm(request.POST, instance=self.bilan)
        chiffres = chiffres_formset(request.POST, lignes_vides=0)
        if not (form.is_valid() and chiffres.is_valid()):
            return self.afficher(form, chiffres)
        try:
            bilan = self.enregistrer(form.cleaned_data, chiffres.chiffres())
        except ValidationError as erreur:
            _erreurs_sur_le_formulaire(form, erreur)
            return self.afficher(form, chiffres)
        messages.success(request, self.message % {"titre": bilan.titre})
        return HttpResponseRedirect(bilan.get_absolute_url())


class BilanCreateView(BilanFormMixin, SingleObjectMixin, View):
    model = Bilan
    url_object_model = Projet
    message = gettext_lazy("Bilan enregistré : %(titre)s. Ajoutez-y des photos ou des documents.")

    def preparer(self):
        self.projet = get_object_or_404(
            Projet.objects.for_centre(self.centre), pk=self.kwargs["pk"]
        )
        self.bilan = None

    def get(self, request, *args, **kwargs):
        self.preparer()
        return self.afficher(BilanForm(), chiffres_formset(lignes_vides=3))

    def enregistrer(self, donnees, chiffres):
        return bilan_creer(projet=self.projet, par=self.request.user, chiffres=chiffres, **donnees)


class BilanUpdateView(BilanFormMixin, SingleObjectMixin, View):
    model = Bilan
    message = gettext_lazy("Bilan enregistré : %(titre)s.")

    def get_queryset(self):
        return super().get_queryset().select_related("projet")

    def preparer(self):
        self.bilan = self.get_object()
        self.projet = self.bilan.projet

    def get(self, request, *args, **kwargs):
        self.preparer()
        initial = [
            {"libelle": c.libelle, "valeur": c.valeur.normalize(), "unite": c.unite}
            for c in self.bilan.chiffres.all()
        ]
        return self.afficher(
            BilanForm(instance=self.bilan), chiffres_formset(initial=initial, lignes_vides=2)
        )

    def enregistrer(self, donnees, chiffres):
        return bilan_modifier(bilan=self.bilan, chiffres=chiffres, **donnees)


class BilanDetailView(CentreMixin, DetailView):
    model = Bilan
    template_name = "partenariats/projets/bilan_detail.html"
    context_object_name = "bilan"

    def get_queryset(self):
        return super().get_queryset().select_related("projet", "cree_par")

    def get_context_data(self, **kwargs):
        pieces = list(self.object.pieces.all())
        return super().get_context_data(
            projet=self.object.projet,
            chiffres=list(self.object.chiffres.all()),
            photos=[piece for piece in pieces if piece.est_image],
            documents=[piece for piece in pieces if not piece.est_image],
            form_piece=kwargs.pop("form_piece", None) or PieceForm(),
            **kwargs,
        )


class BilanDeleteView(CentreMixin, DeleteView):
    min_role = Role.SALARIE
    model = Bilan
    template_name = "partenariats/projets/bilan_supprimer.html"
    context_object_name = "bilan"

    def get_queryset(self):
        return super().get_queryset().select_related("projet")

    def get_context_data(self, **kwargs):
        return super().get_context_data(nb_pieces=self.object.pieces.count(), **kwargs)

    def form_valid(self, form):
        projet = self.object.projet
        bilan_supprimer(bilan=self.object)
        messages.success(self.request, _("Bilan supprimé : %(titre)s.") % {"titre": self.object})
        return HttpResponseRedirect(projet.get_absolute_url() + "#bilans")


class BilanPdfView(CentreMixin, SingleObjectMixin, View):
    """The bilan as an A4 PDF to share with partners and funders; any member may print it."""

    model = Bilan
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("projet__centre", "projet__porteur")

    def get(self, request, *args, **kwargs):
        bilan = self.get_object()
        return _pdf(bilan_pdf(bilan), bilan_nom_de_fichier(bilan))


# --- Pieces of a bilan --------------------------------------------------------------------


class PieceAjouterView(CentreMixin, SingleObjectMixin, View):
    """GET: the upload form on its own; POST (also from the bilan's page) stores the file, or
    shows the form again with a French message saying what is wrong with it."""

    min_role = Role.SALARIE
    model = PieceBilan
    url_object_model = Bilan
    template_name = "partenariats/projets/piece_ajouter.html"

    def get_bilan(self):
        return get_object_or_404(
            Bilan.objects.for_centre(self.centre).select_related("projet"), pk=self.kwargs["pk"]
        )

    def afficher(self, bilan, form):
        return render(
            self.request,
            self.template_name,
            {"bilan": bilan, "projet": bilan.projet, "form": form},
        )

    def get(self, request, *args, **kwargs):
        return self.afficher(self.get_bilan(), PieceForm())

    def post(self, request, *args, **kwargs):
        bilan = self.get_bilan()
        form = PieceForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.afficher(bilan, form)
        try:
            piece = piece_ajouter(bilan=bilan, **form.cleaned_data)
        except ValidationError as erreur:
            form.add_error("fichier", erreur)
            return self.afficher(bilan, form)
        if piece.est_image:
            message = _("Photo ajoutée au bilan : %(nom)s.")
        else:
            message = _("Document ajouté au bilan : %(nom)s.")
        messages.success(request, message % {"nom": piece.nom})
        return HttpResponseRedirect(bilan.get_absolute_url() + "#pieces")


class PieceRetirerView(CentreMixin, DeleteView):
    min_role = Role.SALARIE
    model = PieceBilan
    template_name = "partenariats/projets/piece_retirer.html"
    context_object_name = "piece"

    def get_queryset(self):
        return super().get_queryset().select_related("bilan__projet")

    def form_valid(self, form):
        bilan = self.object.bilan
        piece_retirer(piece=self.object)
        messages.success(self.request, _("Retiré du bilan : %(nom)s.") % {"nom": self.object.nom})
        return HttpResponseRedirect(bilan.get_absolute_url() + "#pieces")


class PieceFichierView(CentreMixin, SingleObjectMixin, View):
    """The stored file of a piece, to the centre's members only: a photo or a PDF opens in the
    browser, under the name it was uploaded with."""

    model = PieceBilan
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        piece = self.get_object()
        try:
            return reponse_fichier(piece.fichier, piece.nom)
        except FileNotFoundError:
            # The row outlived its file (a storage restored from an older backup).
            raise Http404 from None
