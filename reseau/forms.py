from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commun.liens import lien_absolu
from reseau import emails
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
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})

    def clean_username(self):
        # Addresses are stored lowercased; people type them as they like. Lowercasing here
        # also gives login throttling one counter per account, whatever the capitals.
        return self.cleaned_data["username"].strip().lower()


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


class ReinitialisationMotDePasseForm(PasswordResetForm):
    """Django's password reset, with the email of ``reseau.emails`` (through the outbox).

    The link is built from ``settings.SITE_URL``: Django's own form takes the domain from the
    request's Host header, which a client can forge to receive a link to another site.
    """

    def get_users(self, email):
        # Django skips accounts without a usable password (meant for external sign-in). Here
        # those are people invited to a centre who have not chosen a password yet: when their
        # invitation link has expired, "mot de passe oublié" is how they get a fresh one.
        return User.objects.filter(email__iexact=email, is_active=True)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        lien = lien_absolu(
            reverse(
                "password_reset_confirm",
                kwargs={"uidb64": context["uid"], "token": context["token"]},
            )
        )
        emails.reinitialisation_envoyer(user=context["user"], lien=lien)
