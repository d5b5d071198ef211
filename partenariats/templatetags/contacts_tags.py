from django import template

from commun.liens import lien_tel

register = template.Library()


@register.filter
def tel(numero):
    """``tel:`` link of a phone number, for ``<a href="{{ contact.telephone|tel }}">``."""
    return lien_tel(numero)
