"""Export of the directory as it is filtered, and import of partners from a file (preview,
then a confirmation that imports all or nothing). Formats: see ``partenariats.echanges``."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView, View
from django_scopes import scope

from partenariats.echanges.analyse import analyser
from partenariats.echanges.colonnes import COLONNES_CONTACT, COLONNES_PARTENAIRE, entete_contact
from partenariats.echanges.export import CONTENT_TYPE_XLSX, export_csv, export_xlsx, modele_xlsx
from partenariats.echanges.lecture import FichierIllisible
from partenariats.enums import CategoriePartenaire
from partenariats.filters import directory_filter
from partenariats.forms_echanges import ImportForm
from partenariats.models import Theme
from partenariats.services.importation import (
    depot_enregistrer,
    depot_retirer,
    partenaires_importer,
)
from reseau.access import CentreMixin
from reseau.enums import Role

# Past this, the preview table shows a count instead of more rows; all rows are checked.
APERCU_MAX_LIGNES = 500
APERCU_MAX_ERREURS = 300


def _piece_jointe(response, nom_fichier):
    response["Content-Disposition"] = content_disposition_header(True, nom_fichier)
    return response


def _dans_le_scope(centre, lignes):
    # A streamed body is read after the middleware has closed the request's scope.
    with scope(centre=centre):
        yield from lignes


class ExportView(CentreMixin, View):
    """The directory with the filters of the query string, every page of it. Any member may
    export what they can read: ``?format=csv`` (the default) or ``?format=xlsx``."""

    http_method_names = ["get"]

    def get(self, request):
        format_ = request.GET.get("format", "csv")
        if format_ not in ("csv", "xlsx"):
            raise Http404
        partenaires = directory_filter(request, self.centre).qs
        nom = f"partenaires-{self.centre.slug}-{timezone.localdate():%Y-%m-%d}.{format_}"
        if format_ == "xlsx":
            response = HttpResponse(export_xlsx(partenaires), content_type=CONTENT_TYPE_XLSX)
        else:
            # Streamed: a large directory starts downloading at once and is never held whole.
            response = StreamingHttpResponse(
                _dans_le_scope(self.centre, export_csv(partenaires)),
                content_type="text/csv; charset=utf-8",
            )
        return _piece_jointe(response, nom)


class ImportModeleView(CentreMixin, View):
    min_role = Role.SALARIE
    http_method_names = ["get"]

    def get(self, request):
        response = HttpResponse(modele_xlsx(), content_type=CONTENT_TYPE_XLSX)
        return _piece_jointe(response, "modele-import-partenaires.xlsx")


class ImportContextMixin:
    def aide_context(self):
        return {
            "categories": [str(label) for label in CategoriePartenaire.labels],
            "themes": Theme.objects.order_by("ordre", "libelle"),
            "colonnes": [entete for _champ, entete in COLONNES_PARTENAIRE],
            "colonnes_contact": [entete_contact(entete) for _champ, entete in COLONNES_CONTACT],
        }

    def render_apercu(self, analyse, reference):
        # Rows that change nothing are counted, not listed: after a round trip, they are most.
        crees, mis_a_jour = analyse.crees, analyse.mis_a_jour
        return render(
            self.request,
            "partenariats/import_apercu.html",
            {
                "analyse": analyse,
                "reference": reference,
                "empreinte": analyse.empreinte() if reference else "",
                "crees": crees[:APERCU_MAX_LIGNES],
                "crees_masques": max(len(crees) - APERCU_MAX_LIGNES, 0),
                "mis_a_jour": mis_a_jour[:APERCU_MAX_LIGNES],
                "mis_a_jour_masques": max(len(mis_a_jour) - APERCU_MAX_LIGNES, 0),
                "erreurs": analyse.erreurs[:APERCU_MAX_ERREURS],
                "erreurs_masquees": max(len(analyse.erreurs) - APERCU_MAX_ERREURS, 0),
                "form": ImportForm(),
                **self.aide_context(),
            },
        )


class ImportView(CentreMixin, ImportContextMixin, FormView):
    """Upload, then a preview of what would be created: nothing is written here."""

    min_role = Role.SALARIE
    form_class = ImportForm
    template_name = "partenariats/import.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.aide_context(), **kwargs)

    def form_valid(self, form):
        fichier = form.cleaned_data["fichier"]
        contenu = fichier.read()
        try:
            analyse = analyser(contenu, fichier.name, centre=self.centre)
        except FichierIllisible as exc:
            form.add_error("fichier", str(exc))
            return self.form_invalid(form)
        reference = ""
        if analyse.valide and analyse.a_faire:
            reference = depot_enregistrer(
                contenu=contenu,
                nom_fichier=fichier.name,
                centre=self.centre,
                user=self.request.user,
            )
        return self.render_apercu(analyse, reference)


class ImportConfirmView(CentreMixin, ImportContextMixin, View):
    """Imports the file kept at the preview, checked again, in one transaction."""

    min_role = Role.SALARIE
    http_method_names = ["post"]

    def post(self, request):
        depot = depot_retirer(
            reference=request.POST.get("reference", ""), centre=self.centre, user=request.user
        )
        if depot is None:
            messages.error(
                request,
                _(
                    "Ce fichier n'est plus disponible (déjà importé, ou déposé il y a plus de "
                    "deux heures) : déposez-le de nouveau."
                ),
            )
            return HttpResponseRedirect(reverse("partenariats:import"))
        try:
            analyse = analyser(depot.contenu, depot.nom_fichier, centre=self.centre, doublons=False)
            if not analyse.valide:
                # The themes or the rules changed since the preview: show what is wrong now.
                return self.render_apercu(analyse, "")
            if analyse.empreinte() != request.POST.get("empreinte"):
                # A fiche changed since the preview (someone edited it, another import): what
                # would be written is no longer what was shown. Show it again, to confirm.
                messages.warning(
                    request,
                    _(
                        "L'annuaire a changé depuis l'aperçu : voici les modifications à jour, "
                        "vérifiez-les avant de confirmer."
                    ),
                )
                analyse = analyser(depot.contenu, depot.nom_fichier, centre=self.centre)
                reference = ""
                if analyse.valide and analyse.a_faire:
                    reference = depot_enregistrer(
                        contenu=depot.contenu,
                        nom_fichier=depot.nom_fichier,
                        centre=self.centre,
                        user=request.user,
                    )
                return self.render_apercu(analyse, reference)
            bilan = partenaires_importer(centre=self.centre, analyse=analyse, user=request.user)
        except FichierIllisible as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("partenariats:import"))
        finally:
            depot.supprimer()
        messages.success(request, message_bilan(bilan))
        return HttpResponseRedirect(reverse("partenariats:liste"))


def message_bilan(bilan):
    """ "Import terminé : 2 partenaires créés, 3 mis à jour ; 4 contacts ajoutés, 1 modifié."."""
    fiches = []
    if bilan.crees or not bilan.mis_a_jour:
        fiches.append(
            ngettext("%(nb)s partenaire créé", "%(nb)s partenaires créés", bilan.crees)
            % {"nb": bilan.crees}
        )
    if bilan.mis_a_jour:
        fiches.append(
            ngettext("%(nb)s mis à jour", "%(nb)s mis à jour", bilan.mis_a_jour)
            % {"nb": bilan.mis_a_jour}
            if fiches
            else ngettext(
                "%(nb)s partenaire mis à jour", "%(nb)s partenaires mis à jour", bilan.mis_a_jour
            )
            % {"nb": bilan.mis_a_jour}
        )
    contacts = []
    if bilan.contacts_ajoutes:
        contacts.append(
            ngettext("%(nb)s contact ajouté", "%(nb)s contacts ajoutés", bilan.contacts_ajoutes)
            % {"nb": bilan.contacts_ajoutes}
        )
    if bilan.contacts_modifies:
        contacts.append(
            (
                ngettext("%(nb)s modifié", "%(nb)s modifiés", bilan.contacts_modifies)
                if contacts
                else ngettext(
                    "%(nb)s contact modifié", "%(nb)s contacts modifiés", bilan.contacts_modifies
                )
            )
            % {"nb": bilan.contacts_modifies}
        )
    texte = ", ".join(fiches)
    if contacts:
        texte += " ; " + ", ".join(contacts)
    return _("Import terminé : %(bilan)s.") % {"bilan": texte}
