"""The emails of reseau, one function each: it owns its templates and its context.

They go through Django's mail API: ``EMAIL_BACKEND`` is the outbox (``courrier.backends``),
which writes each one in the caller's transaction and sends it after the commit. The attributes
``centre`` and ``objet`` set on a message are read by the outbox (the centre's "Courriels" page,
the object the email is about); ``reseau`` does not import ``courrier``, which sits above it.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from commun.courriels import courriel_rendre


def _envoyer(*, destinataire, gabarit, contexte, centre=None, objet=None):
    rendu = courriel_rendre(gabarit, {"centre": centre, **contexte})
    message = EmailMultiAlternatives(subject=rendu.sujet, body=rendu.texte, to=[destinataire])
    message.attach_alternative(rendu.html, "text/html")
    message.centre = centre
    message.objet = objet
    message.send()


def invitation_envoyer(*, membre, invite_par, nouveau, lien):
    """Tells the member of ``membre`` that ``invite_par`` gave them a role in its centre;
    ``lien`` chooses a password (``nouveau``: a new account) or logs in."""
    _envoyer(
        destinataire=membre.user.email,
        gabarit="reseau/emails/invitation",
        contexte={
            "role": membre.get_role_display(),
            "invite_par": invite_par,
            "nouveau": nouveau,
            "lien": lien,
        },
        centre=membre.centre,
        objet=membre,
    )


def reinitialisation_envoyer(*, user, lien):
    """Sends ``user`` the link that chooses a new password (belongs to no centre)."""
    _envoyer(
        destinataire=user.email,
        gabarit="reseau/emails/reinitialisation",
        contexte={
            "user": user,
            "lien": lien,
            "validite_jours": max(
                1, settings.PASSWORD_RESET_TIMEOUT // int(timedelta(days=1).total_seconds())
            ),
        },
        objet=user,
    )
