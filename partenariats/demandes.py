"""Fiche update requests: staff ask a partner to check its fiche through a personal link.

The life of a request (``DemandeMiseAJour``)::

    envoyée ─▶ ouverte ─▶ soumise ─▶ acceptée | rejetée
        └──────────┴─▶ (expire_le past) "expirée"

"expirée" is derived, never stored: a request sent or opened whose ``expire_le`` has passed
(``demande_etat``, ``q_etat``). Nothing the partner does changes the fiche: a submission is
kept in ``proposition`` until staff accept some of its fields.

The link carries a token of ``reseau.jetons`` with the usage ``USAGE_JETON`` and the
request's id; it dies with the request (``DUREE_VALIDITE``).

Grouped sending: ``lot_creer`` snapshots the partners to write to and queues
``partenariats.tasks.envoyer_lot_demandes``, which runs ``lot_traiter``: one partner per
transaction, the lot row locked, ``traites`` advanced in the same transaction as the request
and its email. A retried or concurrent task resumes where the last commit left off and never
writes to a partner twice (and the unique constraint (lot, partenaire) stands behind it).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commun.liens import lien_absolu
from courrier.models import AdresseEnEchec
from courrier.services import courriel_preparer
from partenariats.enums import StatutDemande
from partenariats.forms import CHAMPS_FICHE
from partenariats.models import (
    Contact,
    DemandeMiseAJour,
    LotDemandes,
    Partenaire,
    Theme,
)
from partenariats.selectors import Evenement, source_chronologie
from reseau.enums import Role
from reseau.jetons import JetonExpire, JetonInvalide, jeton_creer, jeton_verifier
from reseau.models import Membership

logger = logging.getLogger(__name__)

USAGE_JETON = "partenariats.fiche"
DUREE_VALIDITE = timedelta(days=30)

# What a partner may propose: its whole fiche but the category, which is the centre's own
# way of sorting its directory and booklet. Identifiers (SIRET, RNA) and the name are the
# partner's to know best; staff review every field before anything changes.
CHAMPS_PARTENAIRE = [champ for champ in CHAMPS_FICHE if champ != "categorie"]

EXPIREE = "expiree"
ETATS = [*StatutDemande.choices, (EXPIREE, gettext_lazy("Expirée"))]
ATTENTE_PARTENAIRE = (StatutDemande.ENVOYEE, StatutDemande.OUVERTE)
TRAITEES = (StatutDemande.ACCEPTEE, StatutDemande.REJETEE)

# A lot still unfinished this long after its creation has lost its task (broker down at
# commit, worker killed): the periodic task queues it again. Running twice is harmless.
DELAI_REPRISE_LOT = timedelta(minutes=10)
# ...but not forever: a lot that keeps failing for two days needs a person.
FENETRE_REPRISE_LOT = timedelta(days=2)

# At most one "please send me a new link" email to the centre per request in this delay.
DELAI_NOUVEAU_LIEN = timedelta(hours=24)


# --- States ---------------------------------------------------------------------------------


def demande_etat(demande, maintenant=None):
    """The state staff see: the stored status, or ``EXPIREE`` for an unanswered request whose
    link has expired."""
    maintenant = maintenant or timezone.now()
    if demande.statut in ATTENTE_PARTENAIRE and demande.expire_le <= maintenant:
        return EXPIREE
    return demande.statut


def q_etat(etat, maintenant=None):
    """The ``Q`` of requests in ``etat`` (one of ``ETATS``), as ``demande_etat`` tells it."""
    maintenant = maintenant or timezone.now()
    if etat == EXPIREE:
        return Q(statut__in=ATTENTE_PARTENAIRE, expire_le__lte=maintenant)
    if etat in ATTENTE_PARTENAIRE:
        return Q(statut=etat, expire_le__gt=maintenant)
    return Q(statut=etat)


def demandes_comptes_par_etat(queryset):
    """``{etat: nombre}`` for every state of ``ETATS`` (zeros included), in one query."""
    maintenant = timezone.now()
    return queryset.aggregate(
        **{etat: Count("pk", filter=q_etat(etat, maintenant)) for etat, _libelle in ETATS}
    )


def q_en_cours(maintenant=None):
    """Requests still waiting for the partner (link alive) or for staff (submitted)."""
    maintenant = maintenant or timezone.now()
    return Q(statut=StatutDemande.SOUMISE) | Q(
        statut__in=ATTENTE_PARTENAIRE, expire_le__gt=maintenant
    )


# --- Fiche values ---------------------------------------------------------------------------


def valeurs_fiche(partenaire):
    """The partner-editable values of the fiche, JSON-ready: strings, and the themes as a
    sorted list of slugs (slugs are the shared vocabulary's stable names)."""
    valeurs = {
        champ: getattr(partenaire, champ) for champ in CHAMPS_PARTENAIRE if champ != "themes"
    }
    valeurs["themes"] = sorted(theme.slug for theme in partenaire.themes.all())
    return valeurs


def valeurs_formulaire(cleaned_data):
    """``valeurs_fiche``'s shape for the cleaned data of ``FichePartenaireForm``."""
    valeurs = {champ: cleaned_data[champ] for champ in CHAMPS_PARTENAIRE if champ != "themes"}
    valeurs["themes"] = sorted(theme.slug for theme in cleaned_data["themes"])
    return valeurs


# --- Recipients -----------------------------------------------------------------------------


@dataclass
class Destinataire:
    """An address a request can go to: a contact's, or the partner's own (contact None)."""

    cle: str
    adresse: str
    contact: Contact | None = None

    @property
    def libelle(self):
        if self.contact is None:
            return _("Adresse générale du partenaire — %(adresse)s") % {"adresse": self.adresse}
        nom = str(self.contact)
        if self.contact.fonction:
            nom = f"{nom}, {self.contact.fonction}"
        return f"{nom} — {self.adresse}"


def _adresses_en_echec(adresses):
    # AdresseEnEchec stores addresses in lower case (its clean() and the outbox see to it).
    adresses = {adresse.lower() for adresse in adresses if adresse}
    if not adresses:
        return set()
    return set(AdresseEnEchec.objects.filter(email__in=adresses).values_list("email", flat=True))


def _destinataires(partenaires):
    """``{partenaire_id: [Destinataire, ...]}``, preferred first, in three queries at most.

    Reachable means: a contact with an address who has not opted out, or the partner's own
    address; addresses that a server refused for good (``AdresseEnEchec``) are left out, as
    the outbox would cancel the email anyway.
    """
    ids = [partenaire.pk for partenaire in partenaires]
    contacts = {}
    # The oldest contact first: usually the person the partnership started with.
    for contact in (
        Contact.objects.filter(partenaire_id__in=ids).joignables().order_by("cree_le", "pk")
    ):
        contacts.setdefault(contact.partenaire_id, []).append(contact)
    en_echec = _adresses_en_echec(
        [c.email for liste in contacts.values() for c in liste]
        + [partenaire.email for partenaire in partenaires]
    )
    resultat = {}
    for partenaire in partenaires:
        liste = [
            Destinataire(cle=f"contact-{contact.pk}", adresse=contact.email, contact=contact)
            for contact in contacts.get(partenaire.pk, [])
            if contact.email.lower() not in en_echec
        ]
        if partenaire.email and partenaire.email.lower() not in en_echec:
            liste.append(Destinataire(cle="partenaire", adresse=partenaire.email))
        resultat[partenaire.pk] = liste
    return resultat


def destinataires_possibles(partenaire):
    """Where a single request to ``partenaire`` can go, the preferred address first."""
    return _destinataires([partenaire])[partenaire.pk]


@dataclass
class PlanEnvoi:
    """What a grouped send will do: one request per partner of ``envois`` (to the address
    given), nothing for those of ``ignores`` (with the reason)."""

    envois: list  # [(Partenaire, Destinataire)]
    ignores: list  # [(Partenaire, str)]


def plan_envoi(partenaires):
    """Splits ``partenaires`` (a list) into those a grouped send writes to and those it
    skips: archived partners, partners with a request in progress (sent and alive, or
    submitted and not yet reviewed: a second email would only confuse), and partners without
    a reachable address. A handful of queries whatever the number of partners."""
    partenaires = list(partenaires)
    ids = [partenaire.pk for partenaire in partenaires]
    en_cours = set(
        DemandeMiseAJour.objects.filter(q_en_cours(), partenaire_id__in=ids).values_list(
            "partenaire_id", flat=True
        )
    )
    destinataires = _destinataires([p for p in partenaires if not p.archive])
    plan = PlanEnvoi(envois=[], ignores=[])
    for partenaire in partenaires:
        if partenaire.archive:
            plan.ignores.append((partenaire, _("archivé")))
        elif partenaire.pk in en_cours:
            plan.ignores.append((partenaire, _("une demande est déjà en cours")))
        elif not destinataires[partenaire.pk]:
            plan.ignores.append((partenaire, _("aucune adresse électronique joignable")))
        else:
            plan.envois.append((partenaire, destinataires[partenaire.pk][0]))
    return plan


# --- Sending --------------------------------------------------------------------------------


def demande_lien(demande):
    """The absolute personal link of ``demande`` (from ``SITE_URL``, never the request)."""
    jeton = jeton_creer(usage=USAGE_JETON, pk=demande.pk, expire_le=demande.expire_le)
    return lien_absolu(reverse("partenaires:fiche_publique", args=[jeton]))


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
    demande.courriel = courriel_preparer(
        destinataire=destinataire.adresse,
        gabarit="partenariats/emails/demande_fiche",
        contexte={
            "partenaire": partenaire,
            "contact": destinataire.contact,
            "envoyee_par": par,
            "expire_le": expire_le,
            "lien": demande_lien(demande),
        },
        centre=partenaire.centre,
        objet=demande,
    )
    demande.save(update_fields=["courriel"])
    return demande


@transaction.atomic
def lot_creer(*, centre, partenaires, criteres, par):
    """Records a grouped send to ``partenaires`` (the ids a ``PlanEnvoi`` writes to: the
    snapshot the task walks, whatever the directory shows later) and queues its task after
    commit. ``criteres`` is the directory's query string, kept to tell staff what was sent."""
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

    # robust: a broker down at commit leaves the lot unfinished; lots_bloques_reprendre
    # queues it again.
    transaction.on_commit(lambda: envoyer_lot_demandes.delay(lot_id), robust=True)


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
    try:
        pk = jeton_verifier(jeton, usage=USAGE_JETON)
        valide = True
    except JetonExpire as exc:
        pk, valide = exc.pk, False
    except JetonInvalide:
        return None, False
    demande = DemandeMiseAJour.objects.select_related("partenaire", "centre").filter(pk=pk).first()
    if demande is None:
        return None, False
    return demande, valide and demande.expire_le > timezone.now()


def demande_marquer_ouverte(demande):
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
        for champ in CHAMPS_PARTENAIRE
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
    membres = Membership.objects.for_centre(demande.centre_id).select_related("user")
    adresses = {
        m.user.email.lower(): m.user
        for m in membres
        if m.role == Role.ADMIN or m.user_id == demande.envoyee_par_id
    }
    lien = lien_absolu(reverse("partenaires:demande_creer", args=[demande.partenaire_id]))
    with transaction.atomic():
        return [
            courriel_preparer(
                destinataire=adresse,
                gabarit="partenariats/emails/demande_fiche_nouveau_lien",
                contexte={"demande": demande, "partenaire": demande.partenaire, "lien": lien},
                centre=demande.centre,
                objet=demande,
            )
            for adresse in sorted(adresses)
        ]


# --- Staff's review -------------------------------------------------------------------------


def _verrouiller_soumise(demande):
    demande = DemandeMiseAJour.objects.select_for_update().get(pk=demande.pk)
    if demande.statut != StatutDemande.SOUMISE:
        raise ValidationError(
            _("Cette demande n'attend pas d'examen (état : %(etat)s).")
            % {"etat": demande.get_statut_display()}
        )
    return demande


@transaction.atomic
def demande_accepter(*, demande, champs, par):
    """Applies the proposed values of ``champs`` (others are ignored, as are fields the
    partner did not propose) to the fiche, saved normally so that its history records ``par``,
    and stamps the fiche confirmed today, even when no field is kept: the partner confirmed
    the rest is current. Raises ``ValidationError`` unless the request is submitted, or if a
    value no longer passes the fiche's rules.
    """
    demande = _verrouiller_soumise(demande)
    proposition = demande.proposition
    champs = [champ for champ in CHAMPS_PARTENAIRE if champ in champs and champ in proposition]
    partenaire = Partenaire.objects.select_for_update().get(pk=demande.partenaire_id)
    scalaires = [champ for champ in champs if champ != "themes"]
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
    demande.statut = StatutDemande.ACCEPTEE
    demande.champs_acceptes = champs
    demande.traitee_par = par
    demande.traitee_le = timezone.now()
    demande.save(update_fields=["statut", "champs_acceptes", "traitee_par", "traitee_le"])
    return demande


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


# --- Timeline -------------------------------------------------------------------------------


def libelles_champs(champs):
    return ", ".join(
        str(Partenaire._meta.get_field(champ).verbose_name)
        for champ in CHAMPS_PARTENAIRE
        if champ in champs
    )


@source_chronologie
def chronologie_demandes(partenaire):
    """The requests' events on the partner's timeline, in one query."""
    evenements = []
    demandes = partenaire.demandes_mise_a_jour.select_related(
        "envoyee_par", "traitee_par"
    ).order_by("-cree_le")[:50]
    for demande in demandes:
        evenements.append(
            Evenement(
                demande.cree_le,
                _("Demande de mise à jour envoyée à %(adresse)s")
                % {"adresse": demande.destinataire},
                str(demande.envoyee_par or ""),
            )
        )
        if demande.soumise_le:
            evenements.append(
                Evenement(
                    demande.soumise_le,
                    _("Modifications proposées par le partenaire"),
                    details=libelles_champs(demande.proposition)
                    or _("aucune, la fiche est confirmée telle quelle"),
                )
            )
        if demande.traitee_le and demande.statut == StatutDemande.ACCEPTEE:
            evenements.append(
                Evenement(
                    demande.traitee_le,
                    _("Modifications acceptées"),
                    str(demande.traitee_par or ""),
                    libelles_champs(demande.champs_acceptes)
                    or _("fiche confirmée sans changement"),
                )
            )
        elif demande.traitee_le and demande.statut == StatutDemande.REJETEE:
            evenements.append(
                Evenement(
                    demande.traitee_le,
                    _("Modifications rejetées"),
                    str(demande.traitee_par or ""),
                )
            )
    return evenements
