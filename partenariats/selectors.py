"""Reads shared by views, exports and later apps."""

import difflib
import re
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from commun.texte import replier
from courrier.models import AdresseEnEchec
from partenariats.enums import StatutDemande
from partenariats.forms import CHAMPS_PARTENAIRE, CHAMPS_PROPOSABLES, CONTACTS_LIVRET
from partenariats.models import Contact, DemandeMiseAJour, Partenaire

# Words that say what an organisation is rather than which one it is.
MOTS_GENERIQUES = {
    "association", "asso", "de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au",
    "aux", "en", "pour", "sur",
}  # fmt: skip
SEUIL_SIMILARITE = 0.85


def nom_normalise(nom):
    mots = re.findall(r"[a-z0-9]+", replier(nom))
    return " ".join(mot for mot in mots if mot not in MOTS_GENERIQUES)


def doublons_probables(*, centre, nom, commune="", siret="", exclure_pk=None):
    """Partners of ``centre`` that are probably the same organisation: same SIRET, or a very
    similar name in the same commune. Archived ones count: recreating one is a likely mistake.

    A commune holds tens of partners, so names are compared in Python, the same way on every
    database.
    """
    condition = Q()
    siret = re.sub(r"\s", "", siret or "")
    if siret:
        condition |= Q(siret=siret)
    if commune:
        condition |= Q(commune__iexact=commune.strip())
    if not condition:
        return []
    candidats = Partenaire.objects.for_centre(centre).filter(condition)
    if exclure_pk:
        candidats = candidats.exclude(pk=exclure_pk)
    cible = nom_normalise(nom)
    trouves = []
    for partenaire in candidats.only("pk", "nom", "sigle", "commune", "siret", "archive"):
        if siret and partenaire.siret == siret:
            trouves.append(partenaire)
            continue
        autre = nom_normalise(partenaire.nom)
        if (
            cible
            and autre
            and (
                cible == autre
                or difflib.SequenceMatcher(None, cible, autre).ratio() >= SEUIL_SIMILARITE
            )
        ):
            trouves.append(partenaire)
    return trouves


def communes_du_centre(centre):
    """The distinct communes of the centre's partners, sorted.

    On PostgreSQL, a recursive query hops from one commune to the next along the
    (centre, commune) index: a few dozen index probes instead of reading the whole directory,
    which a plain DISTINCT does (PostgreSQL has no skip scan).
    """
    if connection.vendor != "postgresql":
        return list(
            Partenaire.objects.for_centre(centre)
            .exclude(commune="")
            .order_by("commune")
            .values_list("commune", flat=True)
            .distinct()
        )
    table = Partenaire._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE communes(commune) AS (
                (SELECT commune FROM {table}
                 WHERE centre_id = %(centre)s AND commune > '' ORDER BY commune LIMIT 1)
                UNION ALL
                SELECT (SELECT p.commune FROM {table} p
                        WHERE p.centre_id = %(centre)s AND p.commune > c.commune
                        ORDER BY p.commune LIMIT 1)
                FROM communes c WHERE c.commune IS NOT NULL
            )
            SELECT commune FROM communes WHERE commune IS NOT NULL
            """,
            {"centre": centre.pk},
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass
class Evenement:
    """One line of a partner's timeline. Later apps add theirs (partnerships, cafés...)."""

    date: datetime
    libelle: str
    auteur: str = ""
    details: str = ""


# Other apps add their events to a partner's timeline without this app importing them
# (imports go downward only): ``@source_chronologie`` on a function partner -> [Evenement].
SOURCES_CHRONOLOGIE = []


def source_chronologie(fonction):
    SOURCES_CHRONOLOGIE.append(fonction)
    return fonction


def _libelle_champ(model, nom):
    return str(model._meta.get_field(nom).verbose_name)


def _evenements_historique(records, model, libelles):
    """Timeline events from django-simple-history records (newest first, one object).

    ``libelles`` maps "+", "~", "-" to the sentence for a creation, change, deletion;
    optionally "statut" to the one for a change of status, ``(record, previous) -> str``,
    the other fields changed with it as details.
    """
    records = list(records)
    evenements = []
    for index, record in enumerate(records):
        auteur = str(record.history_user) if record.history_user else _("Maillage")
        details = ""
        if record.history_type == "~":
            precedent = records[index + 1] if index + 1 < len(records) else None
            if precedent is None:
                continue
            champs = [c.field for c in record.diff_against(precedent).changes]
            if not champs:
                continue
            if champs == ["archive"]:
                libelle = _("Partenaire archivé") if record.archive else _("Partenaire réactivé")
            elif "garde" in libelles and set(champs) <= {"propose_le", "propose_par"}:
                libelle = libelles["garde"](record)
            elif "statut" in libelles and "statut" in champs:
                libelle = libelles["statut"](record, precedent)
                autres = [c for c in champs if c != "statut"]
                details = capfirst(", ".join(_libelle_champ(model, c) for c in autres))
            else:
                libelle = libelles["~"](record)
                details = capfirst(", ".join(_libelle_champ(model, c) for c in champs))
        else:
            libelle = libelles[record.history_type](record)
        evenements.append(Evenement(record.history_date, libelle, auteur, details))
    return evenements


LIBELLES_FICHE = {
    "+": lambda r: _("Fiche créée"),
    "~": lambda r: _("Fiche modifiée"),
    "-": lambda r: _("Fiche supprimée"),
}


def _nom_contact(record):
    return f"{record.prenom} {record.nom}".strip()


LIBELLES_CONTACT = {
    "+": lambda r: (
        (
            _("Contact proposé par le partenaire : %(nom)s")
            if r.propose_le
            else _("Contact ajouté : %(nom)s")
        )
        % {"nom": _nom_contact(r)}
    ),
    # Kept after review (``contact_garder``): the author is who kept it.
    "garde": lambda r: (
        _("Contact proposé par le partenaire, gardé : %(nom)s") % {"nom": _nom_contact(r)}
    ),
    "~": lambda r: _("Contact modifié : %(nom)s") % {"nom": _nom_contact(r)},
    "-": lambda r: _("Contact supprimé : %(nom)s") % {"nom": _nom_contact(r)},
}


def partenaire_chronologie(partenaire, limite=50):
    """What happened with this partner, newest first: its fiche and its contacts' history."""
    fiche = partenaire.history.select_related("history_user").order_by("-history_date")[:200]
    contacts = (
        Contact.history.filter(partenaire_id=partenaire.pk)
        .select_related("history_user")
        .order_by("id", "-history_date")[:400]
    )
    evenements = _evenements_historique(fiche, Partenaire, LIBELLES_FICHE)
    par_contact = {}
    for record in contacts:
        par_contact.setdefault(record.id, []).append(record)
    for records in par_contact.values():
        evenements += _evenements_historique(records, Contact, LIBELLES_CONTACT)
    for source in SOURCES_CHRONOLOGIE:
        evenements += source(partenaire)
    evenements.sort(key=lambda e: e.date, reverse=True)
    return evenements[:limite]


# --- Fiche update requests ------------------------------------------------------------------


def valeurs_fiche(partenaire):
    """The partner-editable values of the fiche, JSON-ready: strings, the themes as a sorted
    list of slugs (slugs are the shared vocabulary's stable names), and the ids of the
    contacts published in the booklet, sorted."""
    valeurs = {
        champ: getattr(partenaire, champ) for champ in CHAMPS_PARTENAIRE if champ != "themes"
    }
    valeurs["themes"] = sorted(theme.slug for theme in partenaire.themes.all())
    valeurs[CONTACTS_LIVRET] = sorted(
        partenaire.contacts.filter(publier_dans_livret=True).values_list("pk", flat=True)
    )
    return valeurs


def libelles_champs(champs):
    """The names of the fiche's fields ``champs``, in the fiche's order: "téléphone, horaires"."""
    return ", ".join(libelle_champ(champ) for champ in CHAMPS_PROPOSABLES if champ in champs)


def libelle_champ(champ):
    """The name of a field a partner may propose (``CHAMPS_PROPOSABLES``)."""
    if champ == CONTACTS_LIVRET:
        return _("contacts publiés dans le livret")
    return str(Partenaire._meta.get_field(champ).verbose_name)


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
        DemandeMiseAJour.objects.en_cours()
        .filter(partenaire_id__in=ids)
        .values_list("partenaire_id", flat=True)
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
