from django import template

from partenariats import demandes

register = template.Library()


@register.filter
def etat_demande(demande):
    """The state staff see (``demandes.demande_etat``): the status, or "expiree"."""
    return demandes.demande_etat(demande)


@register.simple_tag
def demandes_recentes(partenaire, nombre=5):
    """The partner's latest requests, for its page (one query)."""
    return list(partenaire.demandes_mise_a_jour.order_by("-cree_le")[:nombre])
