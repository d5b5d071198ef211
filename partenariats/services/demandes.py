"""Fiche update requests: staff ask a partner to check its fiche through a personal link.

The life of a request (``DemandeMiseAJour``)::

    envoyée ─▶ ouverte ─▶ soumise ─▶ acceptée | rejetée
        └──────────┴─▶ (expire_le past) "expirée"

"expirée" is derived, never stored: a request sent or opened whose ``expire_le`` has passed
(``DemandeMiseAJour.etat`` and its queryset). Nothing the partner does changes the fiche: a
submission is kept in ``proposition`` until staff accept some of its fields.

The link carries a token of ``reseau.jetons`` with the usage ``USAGE_JETON`` and the
request's id; it dies with the request (``DUREE_VALIDITE``). Who can be written to, and whom
a grouped send skips: ``partenariats.selectors`` (``destinataires_possibles``, ``plan_envoi``).
The emails themselves: ``partenariats.emails``.

Grouped sending: ``lot_creer`` snapshots the partners to write to and queues
``partenariats.tasks.envoyer_lot_demandes``, which runs ``lot_traiter``: one partner per
transaction, the lot row locked, ``traites`` advanced in the same transaction as the request
and its email. A retried or concurrent task resumes where the last commit left off and never
writes to a partner twice (and the unique constraint (lot, partenaire) stands behind it).
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commun.liens import lien_absolu
from courrier.services import apres_commit_mettre_en_file
from partenariats import emails
from partenariats.enums import TRAITEES, StatutDemande
from partenariats.forms import CHAMPS_PROPOSABLES, CONTACTS_LIVRET
from partenariats.models import DemandeMiseAJour, LotDemandes, Partenaire, Theme
from partenariats.selectors import plan_envoi, valeurs_fiche
from reseau.enums import Role
from reseau.jetons import jeton_creer, jeton_lire
from reseau.models import Membre

logger = logging.getLogger(__name__)

USAGE_JETON = "partenariats.fiche"
DUREE_VALIDITE = timedelta(days=30)

# A lot still unfinished this long after its creation has lost its task (broker down at
# commit, worker killed): the periodic task, every minute, queues it again, so that its
# emails leave within two minutes of the broker's return. Running twice is harmless.
DELAI_REPRISE_LOT = timedelta(minutes=1)
# ...but not forever: a lot that keeps failing for two days needs a person.
FENETRE_REPRISE_LOT = timedelta(days=2)

# At most one "please send me a new link" email to the centre per request in this delay.
DELAI_NOUVEAU_LIEN = timedelta(hours=24)


# --- Sending --------------------------------------------------------------------------------


def demande_lien(demande):
    """The absolute personal link of ``demande`` (from ``SITE_URL``, never the request)."""
    jeton = jeton_creer(usage=USAGE_JETON, pk=demande.pk, expire_le=demande.expire_le)
    return lien_absolu(reverse("partenariats:fiche_publique", args=[jeton]))


@transaction.atomic
def demande_envoyer(*, partenaire, destinataire, par, lot=None):
    """Creates a request for ``partenaire`` to ``destinataire`` (a ``Destinataire``) and
    prepares its email through the outbox, in the caller's transaction: both exist or neither,
    and the email leaves after commit. The link expires after ``DUREE_VALIDITE``.

    Raises ``ValidationError`` (from the outbox) for an invalid address, before the caller's
    transaction is committed, and ``IntegrityError`` if ``lot`` already has a request for
    this partner.
    """
    # Whole seconds: the token carries the expiry as a timestamp.
    expire_le = (timezone.now() + DUREE_VALIDITE).replace(microsecond=0)
    demande = DemandeMiseAJour.objects.create(
        centre_id=partenaire.centre_id,
        lot=lot,
        partenaire=partenaire,
        contact=destinataire.contact,
        destinataire=destinataire.adresse,
        envoyee_par=par,
        expire_le=expire_le,
    )
    demande.courriel = emails.demande_fiche(demande=demande, lien=demande_lien(demande))
    demande.save(update_fields=["courriel"])
    return demande


@transaction.atomic
def lot_creer(*, centre, partenaires, criteres, par):
    """Records a grouped send to ``partenaires`` (the ids a ``PlanEnvoi`` writes to: the
    snapshot the task walks, whatever the directory shows later) and queues its task after
    commit (``courrier.services.apres_commit_mettre_en_file``: a refusal of the broker is
    counted for ``mise_en_file_suivie``). ``criteres`` is the directory's query string, kept
    to tell staff what was sent."""
    ids = list(dict.fromkeys(int(pk) for pk in partenaires))
    if not ids:
        raise ValidationError(_("Aucun partenaire à qui envoyer la demande."))
    lot = LotDemandes.objects.create(
        centre=centre, cree_par=par, criteres=criteres[:1000], partenaires=ids, total=len(ids)
    )
    _mettre_lot_en_file(lot.pk)
    return lot


def _mettre_lot_en_file(lot_id):
    # Imported here: the tasks module imports this one.
    from partenariats.tasks import envoyer_lot_demandes

    # A broker down at commit leaves the lot unfinished; lots_bloques_reprendre queues it
    # again, and a page under mise_en_file_suivie can say so.
    apres_commit_mettre_en_file(envoyer_lot_demandes, lot_id)


def lot_traiter(*, lot_id):
    """Sends the requests of lot ``lot_id``, one partner per transaction, and marks it
    finished. Returns the lot (None if it no longer exists).

    Each step locks the lot row, takes the partner at position ``traites`` of the snapshot,
    creates its request and email (unless the partner was archived, got a request meanwhile
    or lost its address), advances ``traites`` and commits: the progress bar moves partner by
    partner, the emails leave as each step commits, and a second run (a retried task, a
    duplicate delivery, the periodic resumption) starts at the first partner not yet
    committed. Must not run inside an outer transaction.
    """
    while True:
        with transaction.atomic():
            lot = LotDemandes.objects.select_for_update().filter(pk=lot_id).first()
            if lot is None:
                return None
            if lot.traites >= len(lot.partenaires):
                if lot.termine_le is None:
                    lot.termine_le = timezone.now()
                    lot.save(update_fields=["termine_le"])
                return lot
            _lot_envoyer_au_partenaire(lot, lot.partenaires[lot.traites])
            lot.traites += 1
            lot.save(update_fields=["traites"])


def _lot_envoyer_au_partenaire(lot, partenaire_id):
    partenaire = (
        Partenaire.objects.for_centre(lot.centre_id)
        .select_related("centre")
        # Locks the partner only: a single request sent at the same moment waits, and the
        # "request in progress" check below sees it.
        .select_for_update(of=("self",))
        .filter(pk=partenaire_id)
        .first()
    )
    if partenaire is None or lot.demandes.filter(partenaire_id=partenaire_id).exists():
        return None
    plan = plan_envoi([partenaire])
    if not plan.envois:
        logger.info("Lot %s: partner %s skipped: %s", lot.pk, partenaire_id, plan.ignores[0][1])
        return None
    _partenaire, destinataire = plan.envois[0]
    try:
        # A savepoint: a refused address must not undo the lot's progress.
        with transaction.atomic():
            return demande_envoyer(
                partenaire=partenaire, destinataire=destinataire, par=lot.cree_par, lot=lot
            )
    except (ValidationError, IntegrityError) as exc:
        logger.warning("Lot %s: partner %s skipped: %s", lot.pk, partenaire_id, exc)
        return None


def lots_bloques_reprendre():
    """Queues again the lots whose task was lost (unfinished after ``DELAI_REPRISE_LOT``,
    created within ``FENETRE_REPRISE_LOT``). Returns their ids. A lot still being sent
    is harmless to queue: both runs take the lot's lock in turn."""
    maintenant = timezone.now()
    ids = list(
        LotDemandes.objects.filter(
            termine_le__isnull=True,
            cree_le__lt=maintenant - DELAI_REPRISE_LOT,
            cree_le__gte=maintenant - FENETRE_REPRISE_LOT,
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        _mettre_lot_en_file(pk)
    if ids:
        logger.warning("Queued again %d unfinished lot(s) of requests: %s", len(ids), ids)
    return ids


# --- The partner's side ---------------------------------------------------------------------


def demande_lire_jeton(jeton):
    """``(demande, valide)`` for the token of a personal link.

    ``(demande, True)``: genuine and alive. ``(demande, False)``: genuine but expired (the
    request is known, so the page can offer to ask for a new link). ``(None, False)``:
    forged, altered, truncated, made for another usage, or its request is gone; the caller
    shows the same page as for an expired link and reveals nothing about any partner.
    """
    demande, valide = jeton_lire(
        jeton, usage=USAGE_JETON, modele=DemandeMiseAJour, relations=["partenaire", "centre"]
    )
    return demande, valide and demande.expire_le > timezone.now()


def demande_marquer_ouverte(*, demande):
    """Records the first opening of the link (status "ouverte"). The fiche is untouched.

    A hint, not a proof that the partner read it: mail scanners (Microsoft 365's Safe Links
    and others) open links before the person does. Only a submission proves anything.
    """
    if demande.statut != StatutDemande.ENVOYEE or demande.ouverte_le is not None:
        return False
    maintenant = timezone.now()
    ouverte = DemandeMiseAJour.objects.filter(
        pk=demande.pk, statut=StatutDemande.ENVOYEE, ouverte_le__isnull=True
    ).update(statut=StatutDemande.OUVERTE, ouverte_le=maintenant)
    if ouverte:
        demande.statut, demande.ouverte_le = StatutDemande.OUVERTE, maintenant
    return bool(ouverte)


@transaction.atomic
def demande_soumettre(*, demande, valeurs):
    """Stores the partner's answer: the fields of ``valeurs`` (``valeurs_formulaire``'s
    shape, already validated) that differ from the fiche as it is now. The fiche itself does
    not change. A second submission before staff review replaces the first.

    Raises ``ValidationError`` when the request was already reviewed or has expired.
    """
    demande = DemandeMiseAJour.objects.select_for_update().get(pk=demande.pk)
    if demande.statut in TRAITEES:
        raise ValidationError(_("Le centre a déjà examiné cette demande."))
    maintenant = timezone.now()
    if demande.expire_le <= maintenant:
        raise ValidationError(_("Ce lien a expiré."))
    actuelles = valeurs_fiche(demande.partenaire)
    demande.proposition = {
        champ: valeurs[champ]
        for champ in CHAMPS_PROPOSABLES
        if champ in valeurs and valeurs[champ] != actuelles[champ]
    }
    demande.statut = StatutDemande.SOUMISE
    demande.soumise_le = maintenant
    demande.ouverte_le = demande.ouverte_le or maintenant
    demande.save(update_fields=["proposition", "statut", "soumise_le", "ouverte_le"])
    return demande


def nouveau_lien_demander(*, demande):
    """Tells the centre that the holder of a dead link to ``demande`` wants a new one: an
    email to its admins and to the person who sent the request (if still a member). At most
    one per request every ``DELAI_NOUVEAU_LIEN``. Returns the emails prepared (often none)."""
    if demande is None:
        return []
    # add() is atomic in Redis: two clicks at once make one email.
    if not cache.add(
        f"partenariats:nouveau-lien:{demande.pk}", 1, DELAI_NOUVEAU_LIEN.total_seconds()
    ):
        return []
    membres = Membre.objects.for_centre(demande.centre_id).select_related("user")
    adresses = {
        m.user.email.lower(): m.user
        for m in membres
        if m.role == Role.ADMIN or m.user_id == demande.envoyee_par_id
    }
    with transaction.atomic():
        return [
            emails.demande_fiche_nouveau_lien(demande=demande, destinataire=adresse)
            for adresse in sorted(adresses)
        ]


# --- Staff's review -------------------------------------------------------------------------


def _verrouiller_soumise(demande):
    demande = DemandeMiseAJour.objects.select_for_update().get(pk=demande.pk)
    if demande.statut != StatutDemande.SOUMISE:
        raise ValidationError(
            _("Cette demande n'attend pas d'examen (état : %(etat)s).")
            % {"etat": demande.get_statut_display()}
        )
    return demande


@transaction.atomic
def demande_accepter(*, demande, champs, par):
    """Applies the proposed values of ``champs`` (others are ignored, as are fields the
    partner did not propose) to the fiche, saved normally so that its history records ``par``,
    and stamps the fiche confirmed today, even when no field is kept: the partner confirmed
    the rest is current. Raises ``ValidationError`` unless the request is submitted, or if a
    value no longer passes the fiche's rules. The fiche's values of every proposed field, as
    they were just before, are kept in ``valeurs_avant`` for the review page.
    """
    demande = _verrouiller_soumise(demande)
    proposition = demande.proposition
    champs = [champ for champ in CHAMPS_PROPOSABLES if champ in champs and champ in proposition]
    partenaire = Partenaire.objects.select_for_update().get(pk=demande.partenaire_id)
    actuelles = valeurs_fiche(partenaire)
    demande.valeurs_avant = {champ: actuelles[champ] for champ in proposition}
    scalaires = [champ for champ in champs if champ not in ("themes", CONTACTS_LIVRET)]
    for champ in scalaires:
        setattr(partenaire, champ, proposition[champ])
    partenaire.clean_fields(
        exclude={f.name for f in Partenaire._meta.concrete_fields} - set(scalaires)
    )
    partenaire.fiche_confirmee_le = timezone.localdate()
    # simple_history takes the author from here when no request is at hand (tasks, shell).
    partenaire._history_user = par
    partenaire.save()
    if "themes" in champs:
        partenaire.themes.set(Theme.objects.filter(slug__in=proposition["themes"]))
    if CONTACTS_LIVRET in champs:
        _contacts_livret_appliquer(partenaire, proposition[CONTACTS_LIVRET], par)
    demande.statut = StatutDemande.ACCEPTEE
    demande.champs_acceptes = champs
    demande.traitee_par = par
    demande.traitee_le = timezone.now()
    demande.save(
        update_fields=["statut", "champs_acceptes", "valeurs_avant", "traitee_par", "traitee_le"]
    )
    return demande


def _contacts_livret_appliquer(partenaire, publies, par):
    """Publishes in the booklet the contacts of ``publies`` (ids; contacts deleted since are
    ignored) and only them, each saved normally so that its history records ``par``."""
    for contact in partenaire.contacts.select_for_update():
        publier = contact.pk in publies
        if contact.publier_dans_livret != publier:
            contact.publier_dans_livret = publier
            contact._history_user = par
            contact.save(update_fields=["publier_dans_livret"])


@transaction.atomic
def demande_rejeter(*, demande, par):
    """Closes a submitted request without touching the fiche. Raises ``ValidationError``
    unless the request is submitted."""
    demande = _verrouiller_soumise(demande)
    demande.statut = StatutDemande.REJETEE
    demande.traitee_par = par
    demande.traitee_le = timezone.now()
    demande.save(update_fields=["statut", "traitee_par", "traitee_le"])
    return demande
