from django.db import models
from django.utils.translation import gettext_lazy as _


class StatutCourriel(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente")
    ENVOI = "envoi", _("Envoi en cours")
    ENVOYE = "envoye", _("Envoyé")
    ECHEC = "echec", _("Échec")
    ANNULE = "annule", _("Annulé")
