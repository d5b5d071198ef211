"""Staff's "Envoyer les invitations" button, shown by ``cafes/_invitations.html``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import View
from django.views.generic.detail import SingleObjectMixin

from cafes.invitations import invitations_comptes, invitations_envoyer
from cafes.models import Cafe
from reseau.access import CentreMixin
from reseau.enums import Role


def invitations_contexte(cafe):
    """What ``cafes/_invitations.html`` needs besides ``cafe``: ``{"invitations": ...}``."""
    return {"invitations": invitations_comptes(cafe)}


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
                        "%(nombre)d invitation part ; rechargez la page pour suivre l'envoi.",
                        "%(nombre)d invitations partent ; rechargez la page pour suivre l'envoi.",
                        nombre,
                    )
                    % {"nombre": nombre},
                )
            else:
                messages.info(request, _("Aucune nouvelle personne à inviter."))
        return HttpResponseRedirect(reverse("cafes:cafe_detail", args=[cafe.pk]))
