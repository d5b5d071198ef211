from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReseauConfig(AppConfig):
    name = "reseau"
    verbose_name = _("Réseau : fédérations, centres et comptes")
