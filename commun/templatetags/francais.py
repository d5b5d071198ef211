"""French as it is written, for every template (a builtin: see ``TEMPLATES`` in settings).

``date`` replaces Django's filter of that name: the same formats, and "1er" for the first day
of a month ("1er décembre 2026"), which no date format can write.
``telephone`` keeps a phone number on one line: "05 53 00 00 00" with non-breaking spaces.
``euros`` writes an amount the French way, "12 500,00 €", on one line.
"""

import re
from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import date as date_django
from django.utils import formats

from commun.dates import premier

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    texte = date_django(value, arg)
    return premier(texte) if texte else texte


@register.filter
def telephone(numero):
    return re.sub(r"(?<=\S) (?=\S)", "\u00a0", numero or "")


@register.filter
def euros(montant):
    """An amount in euros with its cents, the French way: "12 500,00 €". The thousands
    separator is the French format's no-break space, and another one ties "€" to the number,
    so that an amount never breaks across lines. Nothing for an empty value."""
    if montant is None or montant == "":
        return ""
    try:
        # str() first: a float such as 1234.5 must not bring its binary approximation along.
        montant = Decimal(str(montant))
    except InvalidOperation:
        return ""
    chiffres = formats.number_format(montant, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{chiffres}\u00a0€"
