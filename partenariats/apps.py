from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class PartenariatsConfig(AppConfig):
    name = "partenariats"
    verbose_name = _("Partenaires et partenariats")

    def ready(self):
        # Registers the fiche update requests' and the partnerships' events in partners'
        # timelines, and the directory's reminders on the home page.
        from partenariats import accueil, selectors, selectors_liens  # noqa: F401

        connection_created.connect(_replier_sur_sqlite)


def _replier_sur_sqlite(sender, connection, **kwargs):
    """Gives SQLite the accent folding PostgreSQL's search gets from ``unaccent``: the
    directory's search (``PartenaireQuerySet.recherche``) compares folded text."""
    if connection.vendor == "sqlite":
        from commun.texte import replier

        connection.connection.create_function("replier", 1, replier, deterministic=True)
