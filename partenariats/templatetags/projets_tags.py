from decimal import Decimal

from django import template
from django.utils.formats import number_format

from partenariats.selectors_projets import projets_du_partenaire as _projets_du_partenaire

register = template.Library()


@register.filter
def chiffre(valeur):
    """A bilan's figure the French way, without trailing zeros: "42", "3,5", "1 250"
    (a non-breaking space between thousands)."""
    if valeur is None or valeur == "":
        return ""
    valeur = Decimal(valeur)
    valeur = valeur.quantize(Decimal(1)) if valeur == valeur.to_integral() else valeur.normalize()
    return number_format(valeur, use_l10n=True, force_grouping=True)


@register.simple_tag
def projets_du_partenaire(partenaire):
    """The projects and actions ``partenaire`` is in or carries, for its page (two queries)."""
    return _projets_du_partenaire(partenaire)
