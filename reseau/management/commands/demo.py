from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from reseau.demo import COMPTES, MOT_DE_PASSE


class Command(BaseCommand):
    help = (
        "Loads realistic French demo data (idempotent: running it again updates, never "
        "duplicates). Each app contributes through its own demo.py, in INSTALLED_APPS order."
    )

    def handle(self, *args, **options):
        # The demo writes and reads every demo centre: it works across centres, by name.
        with transaction.atomic(), scopes_disabled():
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if find_spec(module_name) is None:
                    continue
                import_module(module_name).charger(self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        self.stdout.write(f"Comptes (mot de passe commun : {MOT_DE_PASSE}) :")
        for email, description in COMPTES:
            self.stdout.write(f"  {email:40} {description}")
