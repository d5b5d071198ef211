import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments share one SIREN and do not follow Luhn (INSEE's documented exception).
SIREN_LA_POSTE = "356000000"


def _luhn_ok(digits):
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def valider_siret(value):
    digits = re.sub(r"\s", "", value or "")
    if not re.fullmatch(r"\d{14}", digits):
        raise ValidationError(
            _("Un numéro SIRET compte 14 chiffres (les espaces sont acceptés)."), code="format"
        )
    if digits.startswith(SIREN_LA_POSTE):
        valid = sum(int(c) for c in digits) % 5 == 0
    else:
        valid = _luhn_ok(digits)
    if not valid:
        raise ValidationError(
            _("Ce numéro SIRET n'existe pas : un chiffre est sans doute mal recopié."),
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
