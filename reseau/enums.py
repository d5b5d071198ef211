from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin du centre")
    SALARIE = "salarie", _("Salarié")
    LECTURE = "lecture", _("Lecture seule")

    @property
    def peut_modifier(self):
        return self in (Role.ADMIN, Role.SALARIE)


class AuditAction(models.TextChoices):
    MEMBRE_INVITE = "membre.invite", _("Membre invité")
    MEMBRE_ROLE_CHANGE = "membre.role_change", _("Rôle d'un membre changé")
    MEMBRE_RETIRE = "membre.retire", _("Membre retiré")
    COURRIEL_RELANCE = "courriel.relance", _("Courriel renvoyé")
    CAFE_ANNULE = "cafe.annule", _("Café partenaires annulé")
    CAFE_MAINTENU = "cafe.maintenu", _("Café partenaires maintenu après annulation")
