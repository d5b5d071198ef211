from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CafesConfig(AppConfig):
    name = "cafes"
    verbose_name = _("Cafés partenaires")

    def ready(self):
        # Puts the cafés a partner hosted or came to in the partner's timeline, and counts
        # them on the carte du maillage.
        from cafes import chronologie, selectors  # noqa: F401

        # Deleting a colleague a partner proposed takes their café invitation along.
        from cafes.services import rsvp  # noqa: F401
