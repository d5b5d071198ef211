from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class PartenariatsConfig(AppConfig):
    name = "partenariats"
    verbose_name = _("Partenaires et partenariats")

    def ready(self):
        # Registers the events of the fiche update requests, the partnerships, the requests
        # received and the funding agreements in partners' timelines, and the directory's
        # reminders and alerts on the home page.
        from partenariats import (  # noqa: F401
            accueil,
            selectors,
            selectors_conventions,
            selectors_liens,
            selectors_sollicitations,
        )

        connection_created.connect(_replier_sur_sqlite)


def _replier_sur_sqlite(sender, connection, **kwargs):
    """Gives SQLite the accent folding PostgreSQL's search gets from ``unaccent``: the
    directory's search (``PartenaireQuerySet.recherche``) compares folded text."""
    if connection.vendor == "sqlite":
        from commun.texte import replier

        connection.connection.create_function("replier", 1, replier, deterministic=True)
