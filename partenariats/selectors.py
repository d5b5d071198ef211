"""Reads shared by views, exports and later apps."""

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from partenariats.models import Contact, Partenaire

# Words that say what an organisation is rather than which one it is.
MOTS_GENERIQUES = {
    "association", "asso", "de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au",
    "aux", "en", "pour", "sur",
}  # fmt: skip
SEUIL_SIMILARITE = 0.85


def nom_normalise(nom):
    sans_accents = unicodedata.normalize("NFKD", nom or "").encode("ascii", "ignore").decode()
    mots = re.findall(r"[a-z0-9]+", sans_accents.lower())
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

    ``libelles`` maps "+", "~", "-" to the sentence for a creation, change, deletion.
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
    "+": lambda r: _("Contact ajouté : %(nom)s") % {"nom": _nom_contact(r)},
    "~": lambda r: _("Contact modifié : %(nom)s") % {"nom": _nom_contact(r)},
    "-": lambda r: _("Contact supprimé : %(nom)s") % {"nom": _nom_contact(r)},
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
