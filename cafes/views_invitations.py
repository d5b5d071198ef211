"""Staff's "Envoyer les invitations" button, shown by ``cafes/_invitations.html``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import View
from django.views.generic.detail import SingleObjectMixin

from cafes.invitations import (
    invitations_envoyer,
    invitations_par_organisation,
    invitations_totaux,
)
from cafes.models import Cafe
from commun.progression import progression_reponse
from reseau.access import CentreMixin
from reseau.enums import Role
from reseau.pagination import page_de

# Organisations per page in the answers table.
ORGANISATIONS_PAR_PAGE = 50


def invitations_contexte(request, cafe):
    """What ``cafes/_invitations.html`` needs besides ``cafe``: ``invitations`` (the totals of
    ``invitations_totaux``) and ``reponses``, a page (URL parameter ``reponses``) of the
    counts per organisation."""
    return {
        "invitations": invitations_totaux(cafe),
        "reponses": page_de(
            request,
            invitations_par_organisation(cafe),
            par_page=ORGANISATIONS_PAR_PAGE,
            param="reponses",
            ancre="invitations",
        ),
    }


class InvitationsProgressionView(CentreMixin, SingleObjectMixin, View):
    """The progress of the sending, polled by htmx on the café page
    (``includes/progression.html``)."""

    min_role = Role.SALARIE
    model = Cafe

    def get(self, request, *args, **kwargs):
        cafe = self.get_object()
        totaux = invitations_totaux(cafe)
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
                        "%(nombre)d invitations partent : l'avancement s'affiche ci-dessous.",
                        nombre,
                    )
                    % {"nombre": nombre},
                )
            else:
                messages.info(request, _("Aucune nouvelle personne à inviter."))
        return HttpResponseRedirect(reverse("cafes:cafe_detail", args=[cafe.pk]))
