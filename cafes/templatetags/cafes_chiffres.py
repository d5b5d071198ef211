"""Figures of the cafés for the series and café pages, loaded by the partials that show them
(``cafes/_chiffres_serie.html``, ``cafes/compte_rendu/_cafe.html``), so those pages only need
an ``{% include %}``."""

from django import template

from cafes.compte_rendu import cafe_chiffres, serie_chiffres

register = template.Library()


@register.simple_tag
def chiffres_de_la_serie(serie):
    return serie_chiffres(serie)


@register.simple_tag
def chiffres_du_cafe(cafe):
    return cafe_chiffres(cafe)
