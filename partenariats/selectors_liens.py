"""Reads of the partnerships: their events, on the partner's timeline and on their own page,
from their history (who created, changed, ended or deleted them)."""

from django.utils.translation import gettext as _

from partenariats.models import INTITULES, Partenariat, ProtocoleOrientation
from partenariats.selectors import _evenements_historique, source_chronologie

# Records read at most: a partner's timeline shows the latest 50 events anyway.
RECORDS_MAX = 400


def _nom(record):
    return {"nom": INTITULES.get(record.type, _("Partenariat")), "objet": record.objet}


LIBELLES_PARTENARIAT = {
    "+": lambda r: _("%(nom)s créé : %(objet)s") % _nom(r),
    "~": lambda r: _("%(nom)s modifié : %(objet)s") % _nom(r),
    "statut": lambda r, avant: (
        _("%(nom)s « %(objet)s » : %(avant)s → %(apres)s")
        % {**_nom(r), "avant": avant.get_statut_display(), "apres": r.get_statut_display()}
    ),
    "-": lambda r: _("%(nom)s supprimé : %(objet)s") % _nom(r),
}

LIBELLES_PROTOCOLE = {
    "+": lambda r: _("Protocole d'orientation enregistré"),
    "~": lambda r: _("Protocole d'orientation modifié"),
    "-": lambda r: _("Protocole d'orientation supprimé"),
}


def _par_objet(records):
    groupes = {}
    for record in records:
        groupes.setdefault(record.id, []).append(record)
    return groupes.values()


def _evenements(partenariats, protocoles):
    """Events from the history records of partnerships and protocols (each ordered by object,
    newest first)."""
    evenements = []
    for records in _par_objet(partenariats):
        evenements += _evenements_historique(records, Partenariat, LIBELLES_PARTENARIAT)
    for records in _par_objet(protocoles):
        evenements += _evenements_historique(records, ProtocoleOrientation, LIBELLES_PROTOCOLE)
    return evenements


def _protocoles(ids):
    if not ids:
        return []
    return (
        ProtocoleOrientation.history.filter(partenariat_id__in=ids)
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")[:RECORDS_MAX]
    )


@source_chronologie
def chronologie_partenariats(partenaire):
    """The partner's partnerships on its timeline: created, changed, a change of status,
    deleted, and their protocols. Two queries."""
    records = list(
        Partenariat.history.filter(partenaire_id=partenaire.pk)
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")[:RECORDS_MAX]
    )
    return _evenements(records, _protocoles({record.id for record in records}))


def historique_partenariat(partenariat):
    """What happened to ``partenariat`` and its protocol, newest first. Two queries."""
    records = partenariat.history.select_related("history_user").order_by(
        "id", "-history_date", "-history_id"
    )[:RECORDS_MAX]
    evenements = _evenements(records, _protocoles([partenariat.pk]))
    evenements.sort(key=lambda e: e.date, reverse=True)
    return evenements
