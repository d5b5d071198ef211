"""The pages partners reach from café emails, without an account: answering an invitation
(or sending a colleague instead) and unsubscribing. Opening a link only shows a page; a button
(POST) acts, because mail scanners open links before the person does."""

from axes.helpers import get_client_ip_address
from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from cafes.enums import Reponse, StatutCafe
from cafes.jetons import contact_lire_jeton_desinscription, invitation_lire_jeton
from cafes.selectors import places_restantes
from cafes.services import rsvp
from reseau.access import JetonMixin


class ReponseForm(forms.Form):
    reponse = forms.ChoiceField(
        label=_("Votre réponse"), choices=Reponse.choices, widget=forms.RadioSelect
    )
    nb_personnes = forms.IntegerField(
        label=_("Nombre de personnes de votre structure"), min_value=1, max_value=10, initial=1
    )
    commentaire = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CollegueForm(forms.Form):
    prenom = forms.CharField(label=_("Prénom"), max_length=100)
    nom = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(label=_("Adresse électronique"), max_length=254)


def _page(request, gabarit, invitation=None, **contexte):
    cafe = invitation.cafe if invitation else None
    jeton = contexte.get("jeton")
    return render(
        request,
        # The café's own page, else the one all partners' pages share (templates/public/).
        [f"cafes/public/{gabarit}.html", f"public/{gabarit}.html"],
        {
            "invitation": invitation,
            "cafe": cafe,
            "centre": cafe.centre if cafe else None,
            "url_nouveau_lien": reverse("cafes:rsvp_nouveau_lien", args=[jeton]) if jeton else "",
            **contexte,
        },
    )


@method_decorator([login_not_required, never_cache], name="dispatch")
class RsvpView(JetonMixin, View):
    """The answer page of one invitation.

    GET shows the café and the form, with the answer of ``?reponse=`` (the email's buttons)
    pre-selected, or the recorded answer with a way to change it; it records nothing. POST
    (with CSRF) records the answer, or sends a colleague instead. Answers close when the café
    starts; a dead link (expired, altered, another usage) shows one page for all cases.
    """

    def lire_jeton(self, jeton):
        return invitation_lire_jeton(jeton)

    def _etat(self, request, jeton, invitation, valide):
        if invitation is None or not valide:
            return _page(request, "lien_invalide", jeton=jeton)
        if invitation.cafe.statut == StatutCafe.ANNULE:
            return _page(request, "annule", invitation)
        if not invitation.cafe.reponses_ouvertes:
            return _page(request, "clos", invitation)
        return None

    def _formulaire(self, request, jeton, invitation, form=None, collegue_form=None, **extra):
        remplacants = list(invitation.remplacants.select_related("contact"))
        return _page(
            request,
            "rsvp",
            invitation,
            jeton=jeton,
            form=form,
            collegue_form=collegue_form or CollegueForm(prefix="collegue"),
            remplacants=remplacants,
            places_restantes=places_restantes(invitation.cafe, sauf=invitation),
            modifier=form is not None,
            **extra,
        )

    def get(self, request, jeton):
        invitation, valide = self.objet, self.valide
        if refus := self._etat(request, jeton, invitation, valide):
            return refus
        choisie = request.GET.get("reponse", "")
        if invitation.reponse and choisie not in Reponse.values and "modifier" not in request.GET:
            # Answered already: the confirmation, with a way to change it.
            return self._formulaire(request, jeton, invitation)
        reponse = choisie if choisie in Reponse.values else invitation.reponse
        form = ReponseForm(
            initial={
                "reponse": reponse,
                "nb_personnes": invitation.nb_personnes,
                # The comment of another answer is not offered again for this one.
                "commentaire": invitation.commentaire if reponse == invitation.reponse else "",
            }
        )
        # From an email's button: the answer is only offered, and the page says so plainly.
        a_confirmer = choisie in Reponse.values and choisie != invitation.reponse
        return self._formulaire(request, jeton, invitation, form=form, a_confirmer=a_confirmer)

    def post(self, request, jeton):
        invitation, valide = self.objet, self.valide
        if refus := self._etat(request, jeton, invitation, valide):
            return refus
        if request.POST.get("action") == "collegue":
            return self._collegue(request, jeton, invitation)
        form = ReponseForm(request.POST)
        if not form.is_valid():
            return self._formulaire(request, jeton, invitation, form=form)
        try:
            rsvp.invitation_repondre(invitation=invitation, **form.cleaned_data)
        except ValidationError as erreur:
            if erreur.code == "complet":
                form.add_error(None, erreur)
                return self._formulaire(request, jeton, invitation, form=form)
            # Closed between the check above and now: GET says so.
        return redirect("cafes:rsvp", jeton=jeton)

    def _collegue(self, request, jeton, invitation):
        collegue_form = CollegueForm(request.POST, prefix="collegue")
        if not rsvp.collegue_essai_autorise(
            invitation=invitation, ip=get_client_ip_address(request)
        ):
            collegue_form.add_error(
                None,
                _(
                    "Trop d'essais en peu de temps : réessayez dans une heure, ou écrivez "
                    "au centre."
                ),
            )
        elif collegue_form.is_valid():
            try:
                rsvp.collegue_inviter(invitation=invitation, **collegue_form.cleaned_data)
            except ValidationError as erreur:
                collegue_form.add_error(None, erreur)
            else:
                return redirect("cafes:rsvp", jeton=jeton)
        return self._formulaire(
            request,
            jeton,
            invitation,
            form=ReponseForm(initial={"reponse": invitation.reponse}),
            collegue_form=collegue_form,
            collegue_ouvert=True,
        )


@method_decorator([login_not_required, never_cache], name="dispatch")
class RsvpNouveauLienView(JetonMixin, View):
    """POST from a dead RSVP link's page: tells the centre (rate-limited), answering the same
    way whether or not the token named a real invitation."""

    def lire_jeton(self, jeton):
        return invitation_lire_jeton(jeton)

    def get(self, request, jeton):
        return redirect("cafes:rsvp", jeton=jeton)

    def post(self, request, jeton):
        invitation, valide = self.objet, self.valide
        if invitation is not None and valide:
            # The link still works: no need to bother the centre.
            return redirect("cafes:rsvp", jeton=jeton)
        rsvp.nouveau_lien_demander(invitation=invitation)
        return _page(request, "nouveau_lien")


# The signed token in the URL is the credential, not the session: RFC 8058 one-click
# unsubscribe is a POST sent by the mail client (body "List-Unsubscribe=One-Click"), which
# cannot carry a CSRF token. A forged cross-site POST would need the token, i.e. the link
# itself, and could only unsubscribe its holder.
@method_decorator([login_not_required, never_cache, csrf_exempt], name="dispatch")
class DesinscriptionView(JetonMixin, View):
    """Unsubscribing from café emails: GET asks for confirmation, POST (the page's button or
    a mail client's one-click request) unsubscribes."""

    def lire_jeton(self, jeton):
        contact = contact_lire_jeton_desinscription(jeton)
        return contact, contact is not None

    def _rendre(self, request, gabarit, contact):
        return render(
            request,
            f"cafes/public/{gabarit}.html",
            {"contact": contact, "centre": contact.partenaire.centre if contact else None},
        )

    def get(self, request, jeton):
        contact = self.objet
        if contact is None:
            return self._rendre(request, "desinscription_invalide", None)
        if contact.desinscrit_le:
            return self._rendre(request, "desinscrit", contact)
        return self._rendre(request, "desinscription", contact)

    def post(self, request, jeton):
        contact = self.objet
        if contact is None:
            return self._rendre(request, "desinscription_invalide", None)
        rsvp.desinscrire(contact=contact)
        return self._rendre(request, "desinscrit", contact)
