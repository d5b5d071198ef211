"""Numbers in SVG attributes: a dot for decimals whatever the language, one decimal at most
("12.5", "40"), never the localised "12,5" a template would write."""

from django import template

register = template.Library()


@register.filter
def px(valeur):
    texte = f"{float(valeur):.1f}"
    return texte.removesuffix(".0")
