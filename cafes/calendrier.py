"""Dates of a series' rule ("the first Friday of the month", "the last Tuesday")."""

import calendar
from datetime import date, timedelta

from cafes.enums import Rang


def heure(moment):
    """A time as French writes it: "9 h", "10 h 30" (one way for every page, email and PDF),
    with non-breaking spaces so that it never breaks across lines."""
    return f"{moment.hour}\u00a0h" + (f"\u00a0{moment.minute:02d}" if moment.minute else "")


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


def paques(annee):
    """Easter Sunday of ``annee`` (Gregorian calendar; the anonymous algorithm, Meeus 1876)."""
    a, b, c = annee % 19, annee // 100, annee % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    mois, jour = divmod(h + ell - 7 * m + 114, 31)
    return date(annee, mois, jour + 1)


def jours_feries(annee):
    """The eleven public holidays of metropolitan France in ``annee`` (Alsace-Moselle's two
    extra days apart): a café falling on one is not programmed unless staff tick it."""
    dimanche = paques(annee)
    return {
        date(annee, 1, 1),
        dimanche + timedelta(days=1),  # lundi de Pâques
        date(annee, 5, 1),
        date(annee, 5, 8),
        dimanche + timedelta(days=39),  # Ascension
        dimanche + timedelta(days=50),  # lundi de Pentecôte
        date(annee, 7, 14),
        date(annee, 8, 15),
        date(annee, 11, 1),
        date(annee, 11, 11),
        date(annee, 12, 25),
    }
