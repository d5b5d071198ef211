"""Staff's "Envoyer les invitations": its confirmation page (how many leave, the email as it
reads, an optional personal message), the sending, and the progress the café page polls
(``cafes/_invitations.html``, whose context is ``cafes.selectors.invitations_contexte``)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import View
from django.views.generic.detail import SingleObjectMixin

from cafes import emails
from cafes.enums import StatutCafe
from cafes.models import Cafe
from cafes.selectors import invitations_a_partir
from cafes.services.invitations import invitations_envoyer
from commun.progression import progression_reponse
from courrier.services import mise_en_file_suivie
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


class MessageForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message personnel (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Ajouté au courriel, après la présentation du café. Il remplace celui d'un envoi "
            "précédent."
        ),
    )


class InvitationsEnvoyerView(CentreMixin, SingleObjectMixin, View):
    """GET (and POST "apercu") shows what the sending will do: how many people are emailed,
    the email as the first of them reads it, with the personal message typed; the POST of
    the "Envoyer" button invites the contacts not yet invited and queues the sending, then
    back to the café page, where the counts show the progress."""

    min_role = Role.SALARIE
    model = Cafe

    def get_queryset(self):
        return super().get_queryset().select_related("serie", "centre", "hote", "theme")

    def get(self, request, *args, **kwargs):
        cafe = self.get_object()
        return self._confirmation(cafe, MessageForm(initial={"message": cafe.message_invitation}))

    def _confirmation(self, cafe, form):
        nombre, exemple = invitations_a_partir(cafe)
        if form.is_bound and form.is_valid():
            # The preview shows the message typed, not yet saved.
            cafe.message_invitation = form.cleaned_data["message"].strip()
        apercu = emails.invitation_apercu(cafe=cafe, invitation=exemple) if exemple else None
        return render(
            self.request,
            "cafes/invitations_confirmer.html",
            {
                "cafe": cafe,
                "form": form,
                "nombre": nombre,
                "exemple": exemple,
                "apercu": apercu,
                "possible": cafe.statut in (StatutCafe.PREVU, StatutCafe.INVITATIONS_ENVOYEES),
            },
        )

    def post(self, request, *args, **kwargs):
        cafe = self.get_object()
        form = MessageForm(request.POST)
        if request.POST.get("action") == "apercu" or not form.is_valid():
            return self._confirmation(cafe, form)
        try:
            with mise_en_file_suivie() as suivi:
                nombre = invitations_envoyer(
                    cafe=cafe,
                    par=request.user,
                    # A POST without the page's field (an older page) keeps the message as is.
                    message=form.cleaned_data["message"] if "message" in request.POST else None,
                )
        except ValidationError as erreur:
            for message in erreur.messages:
                messages.error(request, message)
        else:
            if nombre and suivi.refusees:
                # The invitations are recorded; the sweeper queues them once the broker is back.
                messages.warning(
                    request,
                    _(
                        "Les invitations sont enregistrées, mais le service d'envoi ne répond "
                        "pas : les courriels partiront dès que le service d'envoi sera rétabli."
                    ),
                )
            elif nombre:
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
