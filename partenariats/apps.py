from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartenariatsConfig(AppConfig):
    name = "partenariats"
    verbose_name = _("Partenaires et partenariats")

    def ready(self):
        # Registers the fiche update requests' events in partners' timelines, and the
        # directory's reminders on the home page.
        from partenariats import accueil, selectors  # noqa: F401
