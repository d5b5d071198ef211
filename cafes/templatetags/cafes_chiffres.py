"""Figures of the cafés for the series and café pages, loaded by the partials that show them
(``cafes/_chiffres_serie.html``, ``cafes/compte_rendu/_cafe.html``), so those pages only need
an ``{% include %}``."""

from django import template

from cafes.selectors import cafe_chiffres, serie_chiffres
from reseau.pagination import page_de

register = template.Library()

# Rows of the partners' figures per page (URL parameter ``partenaires``).
PARTENAIRES_PAR_PAGE = 50


@register.simple_tag(takes_context=True)
def chiffres_de_la_serie(context, serie):
    chiffres = serie_chiffres(serie)
    chiffres["partenaires"] = page_de(
        context["request"],
        chiffres["partenaires"],
        par_page=PARTENAIRES_PAR_PAGE,
        param="partenaires",
        ancre="chiffres",
    )
    return chiffres


@register.simple_tag
def chiffres_du_cafe(cafe):
    return cafe_chiffres(cafe)
