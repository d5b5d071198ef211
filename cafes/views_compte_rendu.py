"""The tour de table and the compte rendu of a café (services in
``cafes.services.compte_rendu``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import View
from django.views.generic.detail import SingleObjectMixin

from cafes import emails
from cafes.compte_rendu import compte_rendu_pdf, nom_du_pdf
from cafes.forms_compte_rendu import CompteRenduForm, TourDeTableForm
from cafes.models import Cafe, CompteRendu
from cafes.selectors import organisations_tour_de_table
from cafes.services.compte_rendu import (
    compte_rendu_assembler,
    compte_rendu_envoyer,
    notes_enregistrer,
)
from reseau.access import CentreMixin, role_allows
from reseau.enums import Role


class CafeMixin(CentreMixin, SingleObjectMixin):
    model = Cafe

    def get_queryset(self):
        return super().get_queryset().select_related("serie", "hote", "centre")

    def compte_rendu(self, cafe):
        return CompteRendu.objects.filter(cafe=cafe).first()


class TourDeTableView(CafeMixin, View):
    """One note per organisation present, all saved by one POST."""

    min_role = Role.SALARIE
    template_name = "cafes/compte_rendu/tour_de_table.html"

    def _form(self, cafe, data=None):
        notes = {note.partenaire_id: note for note in cafe.notes.all()}
        return TourDeTableForm(data, organisations=organisations_tour_de_table(cafe), notes=notes)

    def get(self, request, *args, **kwargs):
        cafe = self.get_object()
        return self._afficher(cafe, self._form(cafe))

    def _afficher(self, cafe, form):
        return render(
            request=self.request,
            template_name=self.template_name,
            context={"cafe": cafe, "form": form},
        )

    def post(self, request, *args, **kwargs):
        cafe = self.get_object()
        form = self._form(cafe, request.POST)
        if not form.is_valid():
            return self._afficher(cafe, form)
        creees, modifiees, supprimees = notes_enregistrer(cafe=cafe, textes=form.textes())
        if creees or modifiees or supprimees:
            messages.success(request, _("Le tour de table est enregistré."))
        else:
            messages.info(request, _("Rien n'a changé dans le tour de table."))
        return HttpResponseRedirect(reverse("cafes:tour_de_table", args=[cafe.pk]))


class CompteRenduView(CafeMixin, View):
    """Any member reads the minutes; staff edit them (POST)."""

    template_name = "cafes/compte_rendu/compte_rendu.html"

    def _afficher(self, cafe, form=None):
        compte_rendu = self.compte_rendu(cafe)
        peut_modifier = role_allows(self.request.membre.role, Role.SALARIE)
        contexte = {"cafe": cafe, "compte_rendu": compte_rendu, "peut_modifier": peut_modifier}
        if compte_rendu is not None and peut_modifier:
            envois = cafe.invitations.envois_compte_rendu()
            contexte.update(
                form=form or CompteRenduForm(instance=compte_rendu),
                nb_a_envoyer=envois["a_envoyer"],
                nb_deja=envois["deja"],
            )
        return render(request=self.request, template_name=self.template_name, context=contexte)

    def get(self, request, *args, **kwargs):
        return self._afficher(self.get_object())

    def post(self, request, *args, **kwargs):
        if not role_allows(request.membre.role, Role.SALARIE):
            raise PermissionDenied
        cafe = self.get_object()
        compte_rendu = self.compte_rendu(cafe)
        if compte_rendu is None:
            messages.error(request, _("Assemblez d'abord le compte rendu."))
            return HttpResponseRedirect(reverse("cafes:compte_rendu", args=[cafe.pk]))
        form = CompteRenduForm(request.POST, instance=compte_rendu)
        if not form.is_valid():
            return self._afficher(cafe, form)
        form.save()
        messages.success(request, _("Le compte rendu est enregistré."))
        return HttpResponseRedirect(reverse("cafes:compte_rendu", args=[cafe.pk]))


class CompteRenduAssemblerView(CafeMixin, View):
    min_role = Role.SALARIE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        cafe = self.get_object()
        _compte_rendu, cree = compte_rendu_assembler(cafe=cafe)
        if cree:
            messages.success(
                request, _("Le compte rendu est assemblé : relisez-le, puis enregistrez-le.")
            )
        else:
            messages.info(request, _("Ce café a déjà un compte rendu."))
        return HttpResponseRedirect(reverse("cafes:compte_rendu", args=[cafe.pk]))


class CompteRenduEnvoyerView(CafeMixin, View):
    """GET shows what sending the minutes does (how many people, the email as it reads, and a
    warning to confirm when the café's day has not come); the POST of its button emails the
    minutes to the invitees who have not received them yet."""

    min_role = Role.SALARIE
    template_name = "cafes/compte_rendu/envoyer.html"

    def get(self, request, *args, **kwargs):
        cafe = self.get_object()
        compte_rendu = self.compte_rendu(cafe)
        if compte_rendu is None:
            messages.error(request, _("Assemblez d'abord le compte rendu."))
            return HttpResponseRedirect(reverse("cafes:compte_rendu", args=[cafe.pk]))
        compte_rendu.cafe = cafe
        invitations = cafe.invitations.sans_compte_rendu().select_related("contact__partenaire")
        exemple = invitations.order_by("pk").first()
        apercu = (
            emails.compte_rendu_apercu(compte_rendu=compte_rendu, invitation=exemple)
            if exemple
            else None
        )
        contexte = {
            "cafe": cafe,
            "nombre": invitations.count(),
            "exemple": exemple,
            "apercu": apercu,
            "avant_le_jour": cafe.date > timezone.localdate(),
        }
        return render(request, self.template_name, contexte)

    def post(self, request, *args, **kwargs):
        cafe = self.get_object()
        if cafe.date > timezone.localdate() and not request.POST.get("avant_le_jour"):
            # Minutes before the café has taken place are rarely meant: the page asks again.
            messages.warning(
                request,
                _("Le café n'a pas encore eu lieu : confirmez l'envoi du compte rendu."),
            )
            return HttpResponseRedirect(reverse("cafes:compte_rendu_envoyer", args=[cafe.pk]))
        try:
            nombre = compte_rendu_envoyer(cafe=cafe, par=request.user)
        except ValidationError as erreur:
            for message in erreur.messages:
                messages.error(request, message)
        else:
            if nombre:
                messages.success(
                    request,
                    ngettext(
                        "Le compte rendu part à %(nombre)d personne.",
                        "Le compte rendu part à %(nombre)d personnes.",
                        nombre,
                    )
                    % {"nombre": nombre},
                )
            else:
                messages.info(
                    request, _("Toutes les personnes invitées ont déjà reçu le compte rendu.")
                )
        return HttpResponseRedirect(reverse("cafes:compte_rendu", args=[cafe.pk]))


class CompteRenduPdfView(CafeMixin, View):
    def get(self, request, *args, **kwargs):
        cafe = self.get_object()
        compte_rendu = self.compte_rendu(cafe)
        if compte_rendu is None:
            messages.error(request, _("Ce café n'a pas encore de compte rendu."))
            return HttpResponseRedirect(reverse("cafes:compte_rendu", args=[cafe.pk]))
        compte_rendu.cafe = cafe
        reponse = HttpResponse(compte_rendu_pdf(compte_rendu), content_type="application/pdf")
        reponse["Content-Disposition"] = f'attachment; filename="{nom_du_pdf(cafe)}"'
        return reponse
