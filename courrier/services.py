"""The outbox: every email of Maillage is prepared here, sent by a task, and never sent twice.

A caller prepares an email inside its own transaction with ``courriel_preparer``; the row and
the send are committed or rolled back together with the caller's change. After commit, the task
``courrier.tasks.envoyer_courriel`` calls ``courriel_expedier``, which sends it once and records
what the SMTP server answered. ``courriels_bloques_reprendre`` (a periodic task) picks up rows
whose task was lost.
"""

import logging
import smtplib
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from courrier.enums import StatutCourriel
from courrier.models import AdresseEnEchec, Courriel, PieceJointe

logger = logging.getLogger(__name__)

# A row queued or sending for longer than this has lost its task. SMTP calls time out after
# EMAIL_TIMEOUT (seconds), so no real send lasts that long.
DELAI_BLOCAGE = timedelta(minutes=15)

# Headers that the outbox sets itself: a caller overriding To could send one row to several
# people, and Message-ID is what makes a retried send recognisable as the same message.
EN_TETES_RESERVES = {"from", "to", "cc", "bcc", "reply-to", "subject", "message-id", "date"}


class EnvoiReporte(Exception):
    """A temporary SMTP failure: the row is queued again and the caller should retry later."""


def lien_absolu(path):
    """``settings.SITE_URL`` + ``path`` (which starts with ``/``).

    Links in emails never come from the request's Host header, which a client can forge to
    make us send someone a password-reset link to another site.
    """
    if not path.startswith("/"):
        raise ValueError(f"An absolute path is expected, got {path!r}.")
    return settings.SITE_URL + path


def _rendre_texte(nom, contexte):
    # Plain-text parts must not be HTML-escaped ("Café & co", not "Café &amp; co"): the
    # default engine renders them with autoescaping off, the HTML part keeps it on.
    return Engine.get_default().get_template(nom).render(Context(contexte, autoescape=False))


def _verifier_en_tetes(en_tetes):
    for nom, valeur in en_tetes.items():
        if nom.lower() in EN_TETES_RESERVES:
            raise ValueError(f"The outbox sets the {nom} header itself.")
        if any(c in f"{nom}{valeur}" for c in "\r\n"):
            raise ValueError(f"Header {nom} must hold a single line.")


def _mettre_en_file(courriel_id):
    # Imported here: the tasks module imports this one.
    from courrier.tasks import envoyer_courriel

    # robust: if the broker is down at commit, the caller's change stays committed and the row
    # stays queued; courriels_bloques_reprendre sends it later.
    transaction.on_commit(lambda: envoyer_courriel.delay(courriel_id), robust=True)


@transaction.atomic
def courriel_preparer(
    *,
    destinataire,
    gabarit,
    contexte,
    centre=None,
    objet=None,
    en_tetes=None,
    pieces_jointes=(),
):
    """Prepares one email to one address and queues its sending for after the commit.

    Renders ``{gabarit}_sujet.txt`` (collapsed to one line), ``{gabarit}.txt`` and
    ``{gabarit}.html`` with ``contexte`` plus ``site_url`` and ``centre`` (both overridable by
    ``contexte``), and ``sujet`` for the bodies; the bodies extend ``courrier/emails/base.txt``
    and ``base.html`` (block ``corps``; ``courrier/emails/bouton.html`` draws a button).
    ``pieces_jointes`` are ``(nom, contenu: bytes, type_mime)`` tuples and ``en_tetes`` extra
    headers (e.g. List-Unsubscribe); both end up on the sent message. ``objet`` is the model
    instance the email is about.

    The caller can rely on: the row exists in the caller's transaction and is sent only if that
    transaction commits, once (a worker dying in the middle of the SMTP conversation is the one
    case where it may go twice, see ``courriels_bloques_reprendre``). If ``destinataire`` is in
    ``AdresseEnEchec``, the row is created cancelled with the reason in ``derniere_erreur`` and
    nothing is sent. Raises ``ValidationError`` for an invalid address and ``ValueError`` for a
    reserved or multi-line header, before anything is written.
    """
    destinataire = destinataire.strip()
    validate_email(destinataire)
    en_tetes = dict(en_tetes or {})
    _verifier_en_tetes(en_tetes)

    contexte = {"site_url": settings.SITE_URL, "centre": centre, **contexte}
    # Collapsing whitespace also keeps a stray newline in a name from breaking the header.
    sujet = " ".join(_rendre_texte(f"{gabarit}_sujet.txt", contexte).split())
    contexte["sujet"] = sujet
    courriel = Courriel(
        centre=centre,
        destinataire=destinataire,
        sujet=sujet,
        corps_texte=_rendre_texte(f"{gabarit}.txt", contexte).strip() + "\n",
        corps_html=render_to_string(f"{gabarit}.html", contexte),
        en_tetes=en_tetes,
        objet=objet,
    )
    adresse = AdresseEnEchec.objects.filter(email__iexact=destinataire).first()
    if adresse is not None:
        courriel.statut = StatutCourriel.ANNULE
        courriel.derniere_erreur = _(
            "Envoi annulé : l'adresse %(email)s figure dans la liste des adresses en échec "
            "(%(raison)s)."
        ) % {"email": destinataire, "raison": adresse.raison or _("raison non précisée")}
    courriel.save()
    PieceJointe.objects.bulk_create(
        PieceJointe(courriel=courriel, nom=nom, contenu=contenu, type_mime=type_mime)
        for nom, contenu, type_mime in pieces_jointes
    )
    if adresse is None:
        _mettre_en_file(courriel.pk)
    return courriel


def _message(courriel):
    message = EmailMultiAlternatives(
        subject=courriel.sujet,
        body=courriel.corps_texte,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[courriel.destinataire],
        # RFC 3834: out-of-office robots must not answer an automated message.
        headers={
            "Auto-Submitted": "auto-generated",
            **courriel.en_tetes,
            "Message-ID": courriel.message_id,
        },
    )
    if courriel.corps_html:
        message.attach_alternative(courriel.corps_html, "text/html")
    for piece in courriel.pieces_jointes.all():
        message.attach(piece.nom, bytes(piece.contenu), piece.type_mime)
    return message


def _analyser_erreur(exc):
    """``(texte, temporaire, adresse_refusee)`` for an exception raised while sending."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # One recipient per message, so one entry.
        code, reponse = next(iter(exc.recipients.values()))
        texte = f"{code} {reponse.decode(errors='replace')}"
        return texte, code < 500, code >= 500
    if isinstance(exc, smtplib.SMTPResponseException):
        erreur = exc.smtp_error
        if isinstance(erreur, bytes):
            erreur = erreur.decode(errors="replace")
        # A 5xx on the sender, the authentication or the content is about our configuration,
        # not about the address: the row fails, the address stays usable.
        return f"{exc.smtp_code} {erreur}", exc.smtp_code < 500, False
    if isinstance(exc, smtplib.SMTPException | OSError):
        # Disconnections, refused connections, timeouts (all OSError), a missing STARTTLS:
        # the server may be back in a minute.
        return f"{type(exc).__name__}: {exc}", True, False
    return None


def courriel_expedier(*, courriel_id, nouvel_essai_dans=None):
    """Sends the queued email ``courriel_id`` once; any other status is left alone.

    The row is locked and marked sending in its own committed transaction before the SMTP
    conversation, so a second call (a redelivered task) finds it sending or sent and does
    nothing: running this twice sends one email. Outcomes:

    - accepted: sent, with ``envoye_le`` and the ``message_id`` given to the server;
    - temporary failure (4xx, disconnection, network error, timeout): if ``nouvel_essai_dans``
      (seconds) is given, queued again with ``prochain_essai`` and ``EnvoiReporte`` is raised
      for the caller to retry then; if it is None (no attempt left), failed;
    - permanent failure (5xx): failed with the server's answer in ``derniere_erreur``; when the
      server refused the recipient itself, the address joins ``AdresseEnEchec``;
    - any other exception (a bug): failed, and the exception propagates.

    Returns the row, or None if it no longer exists. Must not run inside an outer transaction
    (the sending mark must be committed before the SMTP conversation).
    """
    with transaction.atomic():
        courriel = Courriel.objects.select_for_update().filter(pk=courriel_id).first()
        if courriel is None or courriel.statut != StatutCourriel.EN_ATTENTE:
            return courriel
        courriel.statut = StatutCourriel.ENVOI
        courriel.tentatives += 1
        if not courriel.message_id:
            # Kept across attempts, so that a receiving server can spot a duplicate.
            courriel.message_id = _nouveau_message_id()
        courriel.save(update_fields=["statut", "tentatives", "message_id", "modifie_le"])

    try:
        _message(courriel).send()
    except Exception as exc:
        analyse = _analyser_erreur(exc)
        if analyse is None:
            logger.exception("Courriel %s: unexpected error while sending", courriel.pk)
            _terminer(courriel, StatutCourriel.ECHEC, erreur=f"{type(exc).__name__}: {exc}")
            raise
        texte, temporaire, adresse_refusee = analyse
        if temporaire and nouvel_essai_dans is not None:
            logger.info(
                "Courriel %s: temporary failure, retry in %ss: %s",
                courriel.pk,
                nouvel_essai_dans,
                texte,
            )
            _terminer(
                courriel,
                StatutCourriel.EN_ATTENTE,
                erreur=texte,
                prochain_essai=timezone.now() + timedelta(seconds=nouvel_essai_dans),
            )
            raise EnvoiReporte(texte) from exc
        logger.warning("Courriel %s: failed: %s", courriel.pk, texte)
        with transaction.atomic():
            _terminer(courriel, StatutCourriel.ECHEC, erreur=texte)
            if adresse_refusee:
                AdresseEnEchec.objects.get_or_create(
                    email=courriel.destinataire.lower(), defaults={"raison": texte}
                )
        return courriel

    _terminer(courriel, StatutCourriel.ENVOYE, envoye_le=timezone.now())
    return courriel


def _nouveau_message_id():
    # The site's domain rather than the machine's name (DNS lookup, internal hostname).
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")


def _terminer(courriel, statut, *, erreur="", prochain_essai=None, envoye_le=None):
    courriel.statut = statut
    courriel.derniere_erreur = erreur
    courriel.prochain_essai = prochain_essai
    courriel.envoye_le = envoye_le
    courriel.save(
        update_fields=["statut", "derniere_erreur", "prochain_essai", "envoye_le", "modifie_le"]
    )


@transaction.atomic
def courriel_relancer(*, courriel):
    """Staff's "Renvoyer": puts a failed or cancelled email back in the queue.

    Refused (``ValidationError`` with a message for staff) when the email is not failed or
    cancelled, or while its address is in ``AdresseEnEchec``: a refused address must be
    corrected and removed from that list (in the administration) first. A failure that was not
    about the address (retries exhausted, server misconfigured) can be sent again right away.
    The send is queued after commit; returns the updated row.
    """
    courriel = Courriel.objects.select_for_update().get(pk=courriel.pk)
    if not courriel.est_relancable:
        raise ValidationError(
            _("Seul un courriel en échec ou annulé peut être renvoyé (statut : %(statut)s).")
            % {"statut": courriel.get_statut_display()}
        )
    if AdresseEnEchec.objects.contient(courriel.destinataire):
        raise ValidationError(
            _(
                "L'adresse %(email)s figure dans la liste des adresses en échec : faites-la "
                "corriger et retirer de cette liste avant de renvoyer le courriel."
            )
            % {"email": courriel.destinataire}
        )
    _terminer(courriel, StatutCourriel.EN_ATTENTE)
    _mettre_en_file(courriel.pk)
    return courriel


@transaction.atomic
def courriels_bloques_reprendre():
    """Queues again every row whose task was lost (see ``CourrielQuerySet.bloques``).

    Rows stuck in sending go back to queued: the worker died before recording the outcome, so
    the email may (rarely) be sent twice, which beats never. Rows being handled right now are
    skipped (``skip_locked``). Returns the ids queued again.
    """
    maintenant = timezone.now()
    ids = list(
        Courriel.objects.bloques(avant=maintenant - DELAI_BLOCAGE)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    Courriel.objects.filter(pk__in=ids).update(
        statut=StatutCourriel.EN_ATTENTE, prochain_essai=None, modifie_le=maintenant
    )
    for pk in ids:
        _mettre_en_file(pk)
    if ids:
        logger.warning("Queued again %d stuck email(s): %s", len(ids), ids)
    return ids
