from django.db import models
from django.utils.translation import gettext_lazy as _


class Jour(models.IntegerChoices):
    LUNDI = 0, _("lundi")
    MARDI = 1, _("mardi")
    MERCREDI = 2, _("mercredi")
    JEUDI = 3, _("jeudi")
    VENDREDI = 4, _("vendredi")
    SAMEDI = 5, _("samedi")
    DIMANCHE = 6, _("dimanche")


class Rang(models.IntegerChoices):
    """Which of the month's weekdays: the first Friday, the third Tuesday, the last Monday."""

    PREMIER = 1, _("premier")
    DEUXIEME = 2, _("deuxième")
    TROISIEME = 3, _("troisième")
    QUATRIEME = 4, _("quatrième")
    DERNIER = -1, _("dernier")


class TypeCafe(models.TextChoices):
    GENERALISTE = "generaliste", _("Généraliste")
    THEMATIQUE = "thematique", _("Thématique")
    PLENIERE = "pleniere", _("Plénière annuelle")


class StatutCafe(models.TextChoices):
    PREVU = "prevu", _("Prévu")
    INVITATIONS_ENVOYEES = "invitations_envoyees", _("Invitations envoyées")
    TENU = "tenu", _("Tenu")
    ANNULE = "annule", _("Annulé")


class Reponse(models.TextChoices):
    OUI = "oui", _("Je viens")
    NON = "non", _("Je ne viens pas")
    PEUT_ETRE = "peut_etre", _("Peut-être")
