"""French as it is written, for every template (a builtin: see ``TEMPLATES`` in settings).

``date`` replaces Django's filter of that name: the same formats, and "1er" for the first day
of a month ("1er décembre 2026"), which no date format can write.
``telephone`` keeps a phone number on one line: "05 53 00 00 00" with non-breaking spaces.
"""

import re

from django import template
from django.template.defaultfilters import date as date_django

from commun.dates import premier

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    texte = date_django(value, arg)
    return premier(texte) if texte else texte


@register.filter
def telephone(numero):
    return re.sub(r"(?<=\S) (?=\S)", "\u00a0", numero or "")
