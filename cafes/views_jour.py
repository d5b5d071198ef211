"""On the day of a café: the printed sign-in sheet and the check-in screen."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import View
from django.views.generic.detail import SingleObjectMixin

from cafes.emargement import emargement_pdf, nom_de_fichier
from cafes.forms_jour import SurPlaceForm
from cafes.models import Cafe
from cafes.selectors import grouper_par_organisation
from cafes.services.jour import presence_noter, sur_place_ajouter
from reseau.access import CentreMixin
from reseau.enums import Role


class EmargementView(CentreMixin, SingleObjectMixin, View):
    """The feuille d'émargement as a PDF shown in the browser; any member may print it."""

    model = Cafe
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("centre", "serie", "hote")

    def get(self, request, *args, **kwargs):
        cafe = self.get_object()
        response = HttpResponse(emargement_pdf(cafe), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{nom_de_fichier(cafe)}"'
        return response


def _url_pointage(cafe, invitation=None):
    url = reverse("cafes:pointage", args=[cafe.pk])
    return f"{url}#invitation-{invitation.pk}" if invitation else url


class PointageView(CentreMixin, SingleObjectMixin, View):
    """The check-in screen, for a phone or a tablet at the door: who is expected, who is here,
    and a form for people who came without an invitation (POST here)."""

    min_role = Role.SALARIE
    model = Cafe
    template_name = "cafes/jour/pointage.html"

    def get_queryset(self):
        return super().get_queryset().select_related("centre", "serie", "hote")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.date > timezone.localdate():
            # Checking people in days before is a rehearsal or a wrong café: say so first,
            # once per session and café (the screen's own redirects come back here).
            cle = f"cafes:pointage-avant:{self.object.pk}"
            if "avant" in request.GET:
                request.session[cle] = True
            elif not request.session.get(cle):
                return render(request, "cafes/jour/pointage_avant.html", {"cafe": self.object})
        return self.page(SurPlaceForm(cafe=self.object))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = SurPlaceForm(request.POST, cafe=self.object)
        if not form.is_valid():
            return self.page(form)
        try:
            invitation, cree = sur_place_ajouter(cafe=self.object, **form.cleaned_data)
        except ValidationError as erreur:
            form.add_error(None, erreur)
            return self.page(form)
        nom = invitation.contact
        if cree:
            messages.success(
                request, _("Personne ajoutée, présence notée : %(nom)s.") % {"nom": nom}
            )
        else:
            messages.success(
                request, _("Invitation déjà faite, présence notée : %(nom)s.") % {"nom": nom}
            )
        return HttpResponseRedirect(_url_pointage(self.object, invitation))

    def page(self, form):
        invitations = list(self.object.invitations.par_organisation().avec_attendue())
        attendus = [i for i in invitations if i.attendue]
        autres = [i for i in invitations if not i.attendue]
        presents = [i for i in invitations if i.present]
        return render(
            self.request,
            self.template_name,
            {
                "cafe": self.object,
                "attendus": grouper_par_organisation(attendus),
                "autres": grouper_par_organisation(autres),
                "nb_invitations": len(invitations),
                "nb_presents": len(presents),
                "nb_organisations_presentes": len({i.contact.partenaire_id for i in presents}),
                "form": form,
            },
        )


class PresenceView(CentreMixin, SingleObjectMixin, View):
    """Marks one invitation of this café present (``present=1``) or not (``present=0``).

    Setting rather than toggling makes a double tap harmless.
    """

    min_role = Role.SALARIE
    model = Cafe
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        cafe = self.get_object()
        identifiant = request.POST.get("invitation", "")
        if not identifiant.isdigit():
            messages.error(request, _("Choisissez une personne de la liste."))
            return HttpResponseRedirect(_url_pointage(cafe))
        invitation = cafe.invitations.select_related("contact").filter(pk=int(identifiant)).first()
        if invitation is None:
            raise Http404
        present = request.POST.get("present") == "1"
        invitation.cafe = cafe
        presence_noter(invitation=invitation, present=present)
        if present:
            message = _("Présence notée : %(nom)s.")
        else:
            message = _("Présence retirée : %(nom)s.")
        messages.success(request, message % {"nom": invitation.contact})
        return HttpResponseRedirect(_url_pointage(cafe, invitation))
