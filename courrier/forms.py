from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.urls import reverse

from courrier.services import courriel_preparer, lien_absolu


class ReinitialisationMotDePasseForm(PasswordResetForm):
    """Django's password reset, with the email going through the outbox.

    The link is built from ``settings.SITE_URL``: Django's own form takes the domain from the
    request's Host header, which a client can forge to receive a link to another site.
    """

    def get_users(self, email):
        # Django skips accounts without a usable password (meant for external sign-in). Here
        # those are people invited to a centre who have not chosen a password yet: when their
        # invitation link has expired, "mot de passe oublié" is how they get a fresh one.
        return get_user_model()._default_manager.filter(email__iexact=email, is_active=True)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        lien = lien_absolu(
            reverse(
                "password_reset_confirm",
                kwargs={"uidb64": context["uid"], "token": context["token"]},
            )
        )
        courriel_preparer(
            destinataire=to_email,
            gabarit="registration/emails/reinitialisation",
            contexte={
                "user": user,
                "lien": lien,
                "validite_jours": max(
                    1, settings.PASSWORD_RESET_TIMEOUT // int(timedelta(days=1).total_seconds())
                ),
            },
            objet=user,
        )
