from django import template

register = template.Library()


@register.simple_tag
def demandes_recentes(partenaire, nombre=5):
    """The partner's latest requests, for its page (one query)."""
    return list(partenaire.demandes_mise_a_jour.order_by("-cree_le")[:nombre])
