import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siret


def valider_siret(value):
    """14 digits (spaces allowed) whose keys hold: the SIREN's and the whole number's Luhn
    keys, and INSEE's exceptions for La Poste, whose establishments share one SIREN (python-
    stdnum keeps up with them)."""
    digits = re.sub(r"\s", "", value or "")
    if not re.fullmatch(r"\d{14}", digits):
        raise ValidationError(
            _("Un numéro SIRET compte 14 chiffres (les espaces sont acceptés)."), code="format"
        )
    if not siret.is_valid(digits):
        raise ValidationError(
            _("Ce numéro SIRET n'existe pas : un chiffre est sans doute mal recopié."),
            code="checksum",
        )


def valider_rna(value):
    if not re.fullmatch(r"W\d{9}", (value or "").strip().upper()):
        raise ValidationError(
            _("Un numéro RNA commence par W suivi de 9 chiffres (par exemple W471000123)."),
            code="format",
        )


def valider_code_postal(value):
    if not re.fullmatch(r"\d{5}", value or ""):
        raise ValidationError(_("Un code postal compte 5 chiffres."), code="format")
