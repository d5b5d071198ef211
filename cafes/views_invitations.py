"""Staff's "Envoyer les invitations" button, shown by ``cafes/_invitations.html`` (whose
context is ``cafes.selectors.invitations_contexte``), and the progress it polls."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import View
from django.views.generic.detail import SingleObjectMixin

from cafes.models import Cafe
from cafes.services.invitations import invitations_envoyer
from commun.progression import progression_reponse
from reseau.access import CentreMixin
from reseau.enums import Role


class InvitationsProgressionView(CentreMixin, SingleObjectMixin, View):
    """The progress of the sending, polled by htmx on the café page
    (``includes/progression.html``)."""

    min_role = Role.SALARIE
    model = Cafe

    def get(self, request, *args, **kwargs):
        cafe = self.get_object()
        totaux = cafe.invitations.totaux()
        a_envoyer = totaux["envoyees"] + totaux["en_attente"]
        return progression_reponse(
            request,
            termine=not totaux["en_attente"],
            traites=totaux["envoyees"],
            total=a_envoyer,
            texte=_("%(envoyees)s sur %(total)s envoyées")
            % {"envoyees": totaux["envoyees"], "total": a_envoyer},
            libelle=_("Invitations envoyées"),
        )


class InvitationsEnvoyerView(CentreMixin, SingleObjectMixin, View):
    """Invites the contacts not yet invited and queues the sending; back to the café page,
    where the counts show the progress."""

    min_role = Role.SALARIE
    model = Cafe
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        cafe = self.get_object()
        try:
            nombre = invitations_envoyer(cafe=cafe, par=request.user)
        except ValidationError as erreur:
            for message in erreur.messages:
                messages.error(request, message)
        else:
            if nombre:
                messages.success(
                    request,
                    ngettext(
                        "%(nombre)d invitation part.",
                        "%(nombre)d invitations partent : l'avancement s'affiche ci-dessous.",
                        nombre,
                    )
                    % {"nombre": nombre},
                )
            else:
                messages.info(request, _("Aucune nouvelle personne à inviter."))
        return HttpResponseRedirect(reverse("cafes:cafe_detail", args=[cafe.pk]))
