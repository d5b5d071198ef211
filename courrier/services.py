"""The outbox: every email of Maillage is prepared here, sent by a task, and never sent twice.

A caller prepares an email inside its own transaction with ``courriel_preparer`` (or, from an
app that does not import this one, with Django's mail API: ``courrier.backends.OutboxBackend``
calls ``courriels_depuis_message``); the row and the send are committed or rolled back together
with the caller's change. After commit, the task
``courrier.tasks.envoyer_courriels`` calls ``courriels_expedier``, which sends each email once
and records what the SMTP server answered. A caller preparing many emails at once wraps them in
``courriels_groupes()``: they then travel as one task and one SMTP connection instead of one
each, which is what lets 1,000 invitations go out in seconds. A temporary failure is retried
email by email (``courrier.tasks.envoyer_courriel``). ``courriels_bloques_reprendre`` (a
periodic task) picks up rows whose task was lost.
"""

import logging
import smtplib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from email.headerregistry import Address
from email.mime.base import MIMEBase
from email.utils import make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from commun.courriels import courriel_rendre
from courrier.enums import StatutCourriel
from courrier.models import AdresseEnEchec, Courriel, PieceJointe

logger = logging.getLogger(__name__)

# A row queued or sending for longer than this has lost its task. SMTP calls time out after
# EMAIL_TIMEOUT (seconds), so no real send lasts that long.
DELAI_BLOCAGE = timedelta(minutes=15)
# A queued row whose planned attempt is this far behind has no task holding it: its retry
# was lost, or the broker refused its task (``prochain_essai`` is then the time of refusal).
# Queuing it again is harmless: only one task can claim it. With the sweeper running every
# minute, such a row leaves within two minutes of the broker's return.
DELAI_ESSAI_PERDU = timedelta(minutes=1)

# Headers that the outbox sets itself: a caller overriding To could send one row to several
# people, and Message-ID is what makes a retried send recognisable as the same message.
EN_TETES_RESERVES = {"from", "to", "cc", "bcc", "reply-to", "subject", "message-id", "date"}


class EnvoiReporte(Exception):
    """A temporary SMTP failure: the row is queued again and the caller should retry later."""


def _verifier_en_tetes(en_tetes):
    for nom, valeur in en_tetes.items():
        if nom.lower() in EN_TETES_RESERVES:
            raise ValueError(f"The outbox sets the {nom} header itself.")
        if any(c in f"{nom}{valeur}" for c in "\r\n"):
            raise ValueError(f"Header {nom} must hold a single line.")


# Emails per sending task: one SMTP connection carries them all. Small enough that a worker
# restart redelivers little, large enough for the connection and the task to cost nothing.
TAILLE_LOT_ENVOI = 50


@dataclass
class _Groupe:
    courriels: list = field(default_factory=list)
    pieces_jointes: list = field(default_factory=list)

    def ajouter(self, courriel, pieces_jointes):
        self.courriels.append(courriel)
        self.pieces_jointes.extend((courriel, piece) for piece in pieces_jointes)


# The emails prepared inside the innermost ``courriels_groupes()`` block, not yet written.
_groupe_en_cours = ContextVar("courrier_groupe_en_cours", default=None)


@contextmanager
def courriels_groupes():
    """Emails prepared inside this block are written together when it ends (a few queries in
    all instead of a few per email), then sent by one task per ``TAILLE_LOT_ENVOI`` over one
    SMTP connection after the commit, instead of one task and connection each.

    Use it around a loop of ``courriel_preparer`` inside a transaction. Inside the block the
    emails it returns are not saved yet (no ``pk``): anything pointing at them is saved after
    the block. If the block raises, nothing is written.
    """
    groupe = _Groupe()
    jeton = _groupe_en_cours.set(groupe)
    try:
        yield
    finally:
        _groupe_en_cours.reset(jeton)
    _enregistrer(groupe)


def _enregistrer(groupe):
    """Writes the emails of ``groupe`` and their attachments and queues those that may go."""
    if not groupe.courriels:
        return
    with transaction.atomic(savepoint=False):
        refusees = AdresseEnEchec.objects.parmi(c.destinataire for c in groupe.courriels)
        for courriel in groupe.courriels:
            adresse = refusees.get(courriel.destinataire.lower())
            if adresse is not None:
                courriel.statut = StatutCourriel.ANNULE
                courriel.derniere_erreur = _(
                    "Envoi annulé : l'adresse %(email)s figure dans la liste des adresses en "
                    "échec (%(raison)s)."
                ) % {
                    "email": courriel.destinataire,
                    "raison": adresse.raison or _("raison non précisée"),
                }
        Courriel.objects.bulk_create(groupe.courriels)
        PieceJointe.objects.bulk_create(
            PieceJointe(courriel=courriel, nom=nom, contenu=contenu, type_mime=type_mime)
            for courriel, (nom, contenu, type_mime) in groupe.pieces_jointes
        )
        _mettre_en_file(*(c.pk for c in groupe.courriels if c.statut == StatutCourriel.EN_ATTENTE))


@dataclass
class SuiviMiseEnFile:
    """How many tasks the broker refused (see ``mise_en_file_suivie``)."""

    refusees: int = 0


_suivi_mise_en_file = ContextVar("suivi_mise_en_file", default=None)


@contextmanager
def mise_en_file_suivie():
    """Counts the tasks queued after commit (``apres_commit_mettre_en_file``) that the broker
    refused, so that a page can tell the truth. The caller's transaction must commit inside
    the block: a view wraps its call to an atomic service."""
    suivi = SuiviMiseEnFile()
    jeton = _suivi_mise_en_file.set(suivi)
    try:
        yield suivi
    finally:
        _suivi_mise_en_file.reset(jeton)


def apres_commit_mettre_en_file(tache, *args, en_cas_de_refus=None):
    """Queues ``tache(*args)`` once the current transaction commits.

    A broker that cannot be reached does not undo the committed change: the refusal is logged,
    counted by ``mise_en_file_suivie`` and ``en_cas_de_refus`` runs; the periodic sweepers
    queue the work again once the broker is back. Other errors are logged by Django (robust).
    """
    suivi = _suivi_mise_en_file.get()

    def mettre_en_file():
        try:
            tache.delay(*args)
        except OperationalError as exc:
            logger.warning("Task %s%r not queued, broker unreachable: %s", tache.name, args, exc)
            if suivi is not None:
                suivi.refusees += 1
            if en_cas_de_refus is not None:
                en_cas_de_refus()

    transaction.on_commit(mettre_en_file, robust=True)


def _mettre_en_file(*courriel_ids):
    # Imported here: the tasks module imports this one.
    from courrier.tasks import envoyer_courriels

    ids = list(courriel_ids)
    for debut in range(0, len(ids), TAILLE_LOT_ENVOI):
        paquet = ids[debut : debut + TAILLE_LOT_ENVOI]
        # Refused by the broker: the rows stay queued, dated for courriels_bloques_reprendre
        # to queue them again at its first sweep after DELAI_ESSAI_PERDU.
        apres_commit_mettre_en_file(
            envoyer_courriels,
            paquet,
            en_cas_de_refus=lambda paquet=paquet: Courriel.objects.filter(
                pk__in=paquet, statut=StatutCourriel.EN_ATTENTE, prochain_essai__isnull=True
            ).update(prochain_essai=timezone.now()),
        )


def expediteur(centre, par=None):
    """Who writes to partners, as ``courriel_preparer`` takes it: the centre's name as the
    sender's display name, and a Reply-To reaching the centre (its own address, else that of
    the staff member ``par`` who acts, else none): a partner's answer must reach someone."""
    adresse = centre.email or (getattr(par, "email", "") if par is not None else "")
    return {"expediteur_nom": centre.nom, "repondre_a": [adresse] if adresse else []}


def courriel_preparer(
    *,
    destinataire,
    gabarit,
    contexte,
    centre=None,
    objet=None,
    en_tetes=None,
    pieces_jointes=(),
    expediteur_nom="",
    repondre_a=(),
):
    """Prepares one email to one address and queues its sending for after the commit.

    It leaves from ``DEFAULT_FROM_EMAIL``'s address under the display name ``expediteur_nom``
    (that of ``DEFAULT_FROM_EMAIL`` when empty), with a ``Reply-To`` of the addresses
    ``repondre_a`` (none when empty).

    Renders ``gabarit`` with ``contexte`` and ``centre`` (``commun.courriels.courriel_rendre``).
    ``pieces_jointes`` are ``(nom, contenu: bytes, type_mime)`` tuples and ``en_tetes`` extra
    headers (e.g. List-Unsubscribe); both end up on the sent message. ``objet`` is the model
    instance the email is about.

    The caller can rely on: the row exists in the caller's transaction (at the end of the
    enclosing ``courriels_groupes()`` block, if any) and is sent only if that transaction
    commits, once (a worker dying in the middle of the SMTP conversation is the one
    case where it may go twice, see ``courriels_bloques_reprendre``). If ``destinataire`` is in
    ``AdresseEnEchec``, the row is created cancelled with the reason in ``derniere_erreur`` and
    nothing is sent. Raises ``ValidationError`` for an invalid address and ``ValueError`` for a
    reserved or multi-line header, before anything is written: a caller looping over many
    addresses can catch them and go on without a savepoint of its own.
    """
    destinataire = destinataire.strip()
    validate_email(destinataire)
    en_tetes = dict(en_tetes or {})
    _verifier_en_tetes(en_tetes)
    repondre_a = _adresses_de_reponse(repondre_a)
    expediteur_nom = " ".join(expediteur_nom.split())

    rendu = courriel_rendre(gabarit, {"centre": centre, **contexte})
    courriel = Courriel(
        centre=centre,
        destinataire=destinataire,
        sujet=rendu.sujet,
        corps_texte=rendu.texte,
        corps_html=rendu.html,
        en_tetes=en_tetes,
        expediteur_nom=expediteur_nom,
        repondre_a=repondre_a,
        objet=objet,
    )
    _ajouter([courriel], pieces_jointes)
    return courriel


def _adresses_de_reponse(adresses):
    """The Reply-To column: valid addresses, one line, separated by commas."""
    adresses = [adresse.strip() for adresse in adresses if adresse and adresse.strip()]
    for adresse in adresses:
        validate_email(adresse)
    return ", ".join(adresses)


def courriels_depuis_message(*, message):
    """Prepares one email per recipient (To, Cc and Bcc alike, each receiving it alone) of
    ``message``, a Django ``EmailMessage``, as ``courriel_preparer`` does; returns them.

    The subject, the text body, the HTML alternative, extra headers and attachments given as
    ``(name, content, mimetype)`` are kept; the sender is always ``DEFAULT_FROM_EMAIL``. The
    optional attributes ``message.centre`` and ``message.objet`` fill the rows' ``centre`` (whose
    "Courriels" page lists them) and ``objet``. The caller can rely on what
    ``courriel_preparer`` promises, and on nothing written when it raises: ``ValidationError``
    for an invalid address (recipient or Reply-To), ``ValueError`` for a reserved or multi-line
    header or an attachment given as a MIME part (the outbox keeps neither). ``reply_to`` is
    kept (``repondre_a``).
    """
    repondre_a = _adresses_de_reponse(message.reply_to)
    en_tetes = dict(message.extra_headers)
    _verifier_en_tetes(en_tetes)
    destinataires = [adresse.strip() for adresse in message.recipients()]
    for destinataire in destinataires:
        validate_email(destinataire)
    pieces_jointes = [_piece_jointe(piece) for piece in message.attachments]
    alternatives = getattr(message, "alternatives", ())  # EmailMultiAlternatives only
    html = next((contenu for contenu, type_mime in alternatives if type_mime == "text/html"), "")
    courriels = [
        Courriel(
            centre=getattr(message, "centre", None),
            destinataire=destinataire,
            sujet=" ".join(message.subject.split()),
            corps_texte=message.body,
            corps_html=html,
            en_tetes=en_tetes,
            repondre_a=repondre_a,
            objet=getattr(message, "objet", None),
        )
        for destinataire in destinataires
    ]
    _ajouter(courriels, pieces_jointes)
    return courriels


def _piece_jointe(piece):
    if isinstance(piece, MIMEBase):
        raise ValueError("The outbox keeps attachments given as (name, content, mimetype) only.")
    nom, contenu, type_mime = piece
    return nom, contenu.encode() if isinstance(contenu, str) else contenu, type_mime


def _ajouter(courriels, pieces_jointes):
    """Adds ``courriels``, each with ``pieces_jointes``, to the current group, or writes them."""
    groupe = _groupe_en_cours.get() or _Groupe()
    for courriel in courriels:
        groupe.ajouter(courriel, pieces_jointes)
    if groupe is not _groupe_en_cours.get():
        _enregistrer(groupe)


def _expediteur(nom):
    """``DEFAULT_FROM_EMAIL``, under the display name ``nom`` when given ("Centre social de
    Montanou <ne-pas-repondre@…>"): the address stays the one the domain signs for."""
    if not nom:
        return settings.DEFAULT_FROM_EMAIL
    _nom, adresse = parseaddr(settings.DEFAULT_FROM_EMAIL)
    # Address quotes the name as RFC 5322 needs (commas, quotes); Django encodes non-ASCII.
    return str(Address(display_name=nom, addr_spec=adresse))


def _message(courriel):
    message = EmailMultiAlternatives(
        subject=courriel.sujet,
        body=courriel.corps_texte,
        from_email=_expediteur(courriel.expediteur_nom),
        to=[courriel.destinataire],
        reply_to=[a.strip() for a in courriel.repondre_a.split(",") if a.strip()],
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


def courriels_expedier(*, courriel_ids, nouvel_essai_dans=None):
    """Sends the queued emails among ``courriel_ids`` over one SMTP connection; returns the ids
    of those that met a temporary failure and were queued again for ``nouvel_essai_dans``
    seconds (the caller schedules their retry). Rows in any other status are left alone.

    Each email is claimed (queued → sending) by a conditional UPDATE committed before its SMTP
    conversation, so a redelivered or concurrent task finds it sending or sent and skips it:
    running this twice sends each email once. The success of an email is committed with the
    claim of the next one (one commit per email), and always before that one is sent. After a
    failure the connection is closed and the next email opens a new one. An unexpected
    exception (a bug) fails its email, the others are still sent, and the first such exception
    is raised at the end. Outcomes per email are those of ``courriel_expedier``. Must not run
    inside an outer transaction.
    """
    courriels = (
        Courriel.objects.filter(pk__in=courriel_ids, statut=StatutCourriel.EN_ATTENTE)
        .prefetch_related("pieces_jointes")
        .order_by("pk")
    )
    reportes, bug, envoye = [], None, None
    connexion = get_connection(settings.COURRIER_EMAIL_BACKEND)
    try:
        for courriel in courriels:
            try:
                envoye = (
                    courriel if _expedier(courriel, connexion, nouvel_essai_dans, envoye) else None
                )
            except EnvoiReporte:
                envoye = None
                reportes.append(courriel.pk)
                _fermer(connexion)
            except Exception as exc:  # noqa: BLE001 - recorded by _expedier, raised below
                envoye, bug = None, bug or exc
                _fermer(connexion)
    finally:
        if envoye is not None:
            _terminer_envoye(envoye)
        _fermer(connexion)
    if bug is not None:
        raise bug
    return reportes


def courriel_expedier(*, courriel_id, nouvel_essai_dans=None):
    """Sends the queued email ``courriel_id`` once; any other status is left alone.

    Running this twice sends one email (see ``courriels_expedier``). Outcomes:

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
    courriel = Courriel.objects.prefetch_related("pieces_jointes").filter(pk=courriel_id).first()
    if courriel is None or courriel.statut != StatutCourriel.EN_ATTENTE:
        return courriel
    connexion = get_connection(settings.COURRIER_EMAIL_BACKEND)
    try:
        if _expedier(courriel, connexion, nouvel_essai_dans):
            _terminer_envoye(courriel)
        else:
            courriel.refresh_from_db()
    finally:
        _fermer(connexion)
    return courriel


def _fermer(connexion):
    # A conversation that failed may have left the connection half-open: QUIT can fail too,
    # and the next email opens a new one anyway.
    try:
        connexion.close()
    except (smtplib.SMTPException, OSError):
        connexion.connection = None


def _expedier(courriel, connexion, nouvel_essai_dans, precedent=None):
    """Claims and sends one email. Returns True once the server accepted it: the caller then
    records the success (``_terminer_envoye``, or as ``precedent`` of the next claim). Returns
    False if another worker claimed it first. Failures are recorded here (see
    ``courriel_expedier``). ``precedent``, an email sent just before and not yet recorded, is
    recorded sent by the claim's statement."""
    # Kept across attempts, so that a receiving server can spot a duplicate.
    message_id = courriel.message_id or _nouveau_message_id()
    maintenant = timezone.now()
    pris = _prendre(courriel, message_id, maintenant, precedent)
    if not pris:
        return False
    courriel.statut = StatutCourriel.ENVOI
    courriel.tentatives += 1
    courriel.message_id = message_id
    courriel.modifie_le = maintenant

    try:
        # Opened here, not by send_messages: that one closes a connection it opened itself.
        # A no-op while the connection is open; failures are the email's, as below.
        connexion.open()
        connexion.send_messages([_message(courriel)])
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
        return False
    courriel.envoye_le = timezone.now()
    return True


# The claim of an email and the success of the one sent before it, in one statement: a batch's
# hot path, where two ORM updates in a transaction cost a third of the sending's CPU. Rows the
# claim does not take (another worker's, no longer queued) are left alone.
_PRENDRE = f"""
UPDATE {Courriel._meta.db_table} SET
    statut = CASE WHEN id = %(pris)s THEN %(envoi)s ELSE %(envoye)s END,
    tentatives = tentatives + CASE WHEN id = %(pris)s THEN 1 ELSE 0 END,
    message_id = CASE WHEN id = %(pris)s THEN %(message_id)s ELSE message_id END,
    envoye_le = CASE WHEN id = %(pris)s THEN envoye_le ELSE %(envoye_le)s END,
    derniere_erreur = CASE WHEN id = %(pris)s THEN derniere_erreur ELSE '' END,
    prochain_essai = CASE WHEN id = %(pris)s THEN prochain_essai ELSE NULL END,
    modifie_le = %(maintenant)s
WHERE (id = %(pris)s AND statut = %(en_attente)s) OR id = %(precedent)s
RETURNING id
"""


def _prendre(courriel, message_id, maintenant, precedent):
    """Claims ``courriel`` (queued → sending, one more attempt, ``message_id``) and records
    ``precedent`` (or None) sent; returns whether the claim was taken."""
    with connection.cursor() as curseur:
        curseur.execute(
            _PRENDRE,
            {
                "pris": courriel.pk,
                "precedent": precedent.pk if precedent else None,
                "envoi": StatutCourriel.ENVOI,
                "envoye": StatutCourriel.ENVOYE,
                "en_attente": StatutCourriel.EN_ATTENTE,
                "message_id": message_id,
                "envoye_le": precedent.envoye_le if precedent else None,
                "maintenant": maintenant,
            },
        )
        return any(ligne[0] == courriel.pk for ligne in curseur.fetchall())


def _terminer_envoye(courriel):
    _terminer(courriel, StatutCourriel.ENVOYE, envoye_le=courriel.envoye_le)


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
@dataclass(frozen=True)
class Reprise:
    """Why an email waits for the sweeper, and when the sweeper will queue it again."""

    raison: str
    vers: object  # datetime


def courriel_reprise(courriel, *, maintenant=None):
    """The ``Reprise`` of a queued email that no task holds any more (the broker refused its
    task, or its retry was lost) or that has waited in the queue for over a minute; None
    otherwise (a task holds it, a retry is planned, or it is no longer queued).

    The sweeper (``courriels_bloques_reprendre``) runs every minute: ``vers`` is the first
    sweep that picks the email up.
    """
    maintenant = maintenant or timezone.now()
    if courriel.statut != StatutCourriel.EN_ATTENTE:
        return None
    if courriel.prochain_essai is not None:
        if courriel.prochain_essai > maintenant:
            return None
        return Reprise(
            raison=_(
                "Le service d'envoi n'a pas pris ce courriel en charge (il était indisponible, "
                "ou l'essai prévu s'est perdu)."
            ),
            vers=max(courriel.prochain_essai + DELAI_ESSAI_PERDU, maintenant)
            + timedelta(minutes=1),
        )
    if courriel.modifie_le < maintenant - DELAI_ESSAI_PERDU:
        return Reprise(
            raison=_(
                "Ce courriel attend son envoi depuis plus d'une minute : le service d'envoi est "
                "arrêté ou très occupé."
            ),
            vers=max(courriel.modifie_le + DELAI_BLOCAGE, maintenant) + timedelta(minutes=1),
        )
    return None


def courriel_relancer(*, courriel):
    """Staff's "Renvoyer": puts a failed or cancelled email back in the queue; "Envoyer
    maintenant": queues again an email waiting for the sweeper (``courriel_reprise``), which
    is harmless: only one task can claim it.

    Refused (``ValidationError`` with a message for staff) when the email is none of these,
    or while its address is in ``AdresseEnEchec``: a refused address must be
    corrected and removed from that list (in the administration) first. A failure that was not
    about the address (retries exhausted, server misconfigured) can be sent again right away.
    The send is queued after commit; returns the updated row.
    """
    courriel = Courriel.objects.select_for_update().get(pk=courriel.pk)
    if not (courriel.est_relancable or courriel_reprise(courriel)):
        raise ValidationError(
            _(
                "Seul un courriel en échec, annulé ou qui attend la reprise automatique peut "
                "être renvoyé (statut : %(statut)s)."
            )
            % {"statut": courriel.get_statut_display()}
        )
    if AdresseEnEchec.objects.contient(courriel.destinataire):
        raise ValidationError(
            _(
                "L'adresse %(email)s figure dans la liste des adresses en échec : faites-la "
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
        Courriel.objects.bloques(
            avant=maintenant - DELAI_BLOCAGE, essai_avant=maintenant - DELAI_ESSAI_PERDU
        )
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    Courriel.objects.filter(pk__in=ids).update(
        statut=StatutCourriel.EN_ATTENTE, prochain_essai=None, modifie_le=maintenant
    )
    _mettre_en_file(*ids)
    if ids:
        logger.warning("Queued again %d stuck email(s): %s", len(ids), ids)
    return ids
