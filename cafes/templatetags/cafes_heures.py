"""``{{ cafe.heure_debut|heure }}``: "9 h", "10 h 30" (``cafes.calendrier.heure``)."""

from django import template

from cafes.calendrier import heure as heure_en_mots

register = template.Library()


@register.filter
def heure(moment):
    return heure_en_mots(moment) if moment is not None else ""
