"""Amounts in euros as people type them: "12 500,50", "12500.5", "12 500 €", "1.250,00".

French writes a comma before the cents and spaces between thousands, but a spreadsheet or a
funder's letter may bring dots. Amounts have at most two decimals, so a dot followed by exactly
three digits can only separate thousands ("12.500" is twelve thousand five hundred), and any
other dot is the decimal point. A comma is always the decimal point, as in French: "12,500"
is refused (three decimals) rather than guessed.
"""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Spaces, no-break spaces and the narrow one a copy from a French document brings.
ESPACES = re.compile(r"[\s\u00a0\u202f]+")
MILLIERS_POINTS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
MILLIERS_ESPACES = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+")

MESSAGE_CHIFFRES = _("Écrivez un montant en chiffres, sans lettres, par exemple 12 500,50.")
MESSAGE_CENTIMES = _("Deux chiffres au plus après la virgule : les centimes.")


def lire_montant(texte):
    """The Decimal ``texte`` means, or a ValidationError in French. Spaces and a final "€"
    are ignored; see the module's docstring for commas and dots."""
    texte = ESPACES.sub(" ", str(texte)).strip().removesuffix("€").strip()
    signe = ""
    if texte[:1] in ("-", "\u2212"):
        signe, texte = "-", texte[1:].strip()
    if "," in texte:
        entier, _virgule, decimales = texte.partition(",")
    elif MILLIERS_POINTS.fullmatch(texte.replace(" ", "")):
        entier, decimales = texte, ""
    else:
        entier, _point, decimales = texte.rpartition(".") if "." in texte else (texte, "", "")
    # Spaces or dots may only group thousands: "12 500", not "1 25" (two amounts, or a typo).
    if MILLIERS_ESPACES.fullmatch(entier) or MILLIERS_POINTS.fullmatch(entier):
        entier = entier.replace(" ", "").replace(".", "")
    if not re.fullmatch(r"[0-9]+", entier) or not re.fullmatch(r"[0-9]*", decimales):
        raise ValidationError(MESSAGE_CHIFFRES, code="invalide")
    if len(decimales) > 2:
        raise ValidationError(MESSAGE_CENTIMES, code="centimes")
    return Decimal(f"{signe}{entier}.{decimales or '0'}")


class MontantInput(forms.TextInput):
    """Shows a stored amount the way it is typed: "12 500,50" (ordinary spaces, easy to
    edit); a phone offers its numeric keypad."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            entier, _point, decimales = f"{value:.2f}".partition(".")
            signe = "-" if entier.startswith("-") else ""
            entier = f"{int(entier.lstrip('-')):,}".replace(",", " ")
            return f"{signe}{entier},{decimales}"
        return super().format_value(value)


class MontantField(forms.DecimalField):
    """A DecimalField that reads French amounts (``lire_montant``)."""

    widget = MontantInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return lire_montant(value)
