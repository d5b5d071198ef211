"""Dates as French writes them: Django's formats, and "1er" for the first day of a month
("vendredi 1er mai 2026"), which no date format can write. Templates get it from every
``|date`` (``commun.templatetags.francais``); code calls ``date_fr``."""

import re

from django.utils.formats import date_format

MOIS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
UN = re.compile(rf"(?<![\d/.])1(?= (?:{MOIS})\b)")


def premier(texte):
    """``texte`` (a formatted date) with "1 décembre" written "1er décembre"."""
    return UN.sub("1er", texte)


def date_fr(valeur, format_=None):
    return premier(date_format(valeur, format_))
