import hashlib

from axes.helpers import get_client_ip_address
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from reseau import services
from reseau.enums import Role
from reseau.models import Membre, User


class ConnexionForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. Les deux champs tiennent compte "
            "des majuscules."
        ),
        "inactive": _("Ce compte est désactivé. Adressez-vous à l'administrateur de votre centre."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Adresse électronique")
        # The widget's own type, not an attribute: an attribute would print type twice and
        # phones would keep their text keyboard.
        self.fields["username"].widget.input_type = "email"
        self.fields["username"].widget.attrs.update({"autocomplete": "email"})

    def clean_username(self):
        # Addresses are stored lowercased; people type them as they like. Lowercasing here
        # also gives login throttling one counter per account, whatever the capitals.
        username = self.cleaned_data["username"].strip().lower()
        # AuthenticationForm sets max_length after the field is built, so nothing checks it;
        # an over-long login would reach django-axes, whose 255-character column refuses it
        # (a 500). No account has such an address: the usual error, before authenticate().
        if len(username) > self.fields["username"].max_length:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        return username


class InvitationMembreForm(forms.Form):
    email = forms.EmailField(label=_("Adresse électronique"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=Role.choices,
        initial=Role.SALARIE,
        help_text=_(
            "Admin : gère les membres. Salarié : consulte et modifie. Lecture seule : consulte."
        ),
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if Membre.objects.for_centre(self.centre).filter(user__email__iexact=email).exists():
            raise forms.ValidationError(_("Cette personne est déjà membre du centre."))
        return email


class RoleMembreForm(forms.ModelForm):
    class Meta:
        model = Membre
        fields = ["role"]
        labels = {"role": _("Nouveau rôle")}


class ChoixCentreForm(forms.Form):
    centre = forms.IntegerField(widget=forms.HiddenInput)


class ProfilForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name"]
        labels = {"first_name": _("Prénom"), "last_name": _("Nom")}


# Password reset requests: per address and per client address, within an hour. Every request
# counts, whether the address has an account or not, so the refusal reveals nothing.
REINITIALISATION_PAR_ADRESSE = 3
REINITIALISATION_PAR_IP = 20
REINITIALISATION_FENETRE = 3600


def _limite_depassee(cle, maximum):
    """Counts one more request under ``cle``; True past ``maximum`` within the window."""
    cache.add(cle, 0, REINITIALISATION_FENETRE)
    try:
        return cache.incr(cle) > maximum
    except ValueError:
        # The key expired (or the cache is unreachable) between add() and incr().
        return False


class ReinitialisationMotDePasseForm(PasswordResetForm):
    """Django's password reset, rate-limited, with the email of ``reseau.emails``.

    The request only records the request and queues its task, the same for a known and an
    unknown address: looking up the account, making the token and rendering the email happen
    in the worker, so that the answer's timing says nothing about the address. The link is
    built from ``settings.SITE_URL`` (``reseau.services``): Django's own form takes the domain
    from the request's Host header, which a client can forge to receive a link to another site.
    """

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        cleaned_data = super().clean()
        email = cleaned_data.get("email")
        if email and self.request is not None:
            adresse = hashlib.sha256(email.strip().lower().encode()).hexdigest()
            ip = get_client_ip_address(self.request) or ""
            # Both counters move on every request, so that neither can be probed alone.
            trop = [
                _limite_depassee(f"reseau:reinit:adresse:{adresse}", REINITIALISATION_PAR_ADRESSE),
                _limite_depassee(f"reseau:reinit:ip:{ip}", REINITIALISATION_PAR_IP),
            ]
            if any(trop):
                raise forms.ValidationError(
                    _(
                        "Trop de demandes de réinitialisation en peu de temps : réessayez dans "
                        "une heure."
                    ),
                    code="trop_de_demandes",
                )
        return cleaned_data

    def save(self, **kwargs):
        email = self.cleaned_data["email"]
        services.reinitialisation_enregistrer(email=email)
