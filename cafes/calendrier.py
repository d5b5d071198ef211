"""Dates of a series' rule ("the first Friday of the month", "the last Tuesday")."""

import calendar
from datetime import date

from cafes.enums import Rang


def date_du_mois(annee, mois, *, rang, jour):
    """The ``rang``-th ``jour`` (0 = Monday) of the month, or None when the month has no such
    day (a fifth week is not offered, but a fourth always exists)."""
    jours = [semaine[jour] for semaine in calendar.monthcalendar(annee, mois) if semaine[jour] != 0]
    if rang == Rang.DERNIER:
        return date(annee, mois, jours[-1])
    if rang > len(jours):
        return None
    return date(annee, mois, jours[rang - 1])


def dates_serie(*, rang, jour, a_partir_de, nb_mois):
    """The rule's dates in the ``nb_mois`` months starting with ``a_partir_de``'s month, from
    ``a_partir_de`` on (a date of this month already past is skipped)."""
    dates = []
    annee, mois = a_partir_de.year, a_partir_de.month
    for _ in range(nb_mois):
        jour_du_mois = date_du_mois(annee, mois, rang=rang, jour=jour)
        if jour_du_mois is not None and jour_du_mois >= a_partir_de:
            dates.append(jour_du_mois)
        annee, mois = (annee + 1, 1) if mois == 12 else (annee, mois + 1)
    return dates
