"""What the alerts digest has already told a centre's admins (``partenariats.alertes``), so
that each item goes out once per period."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reseau.models import CentreManager, CentreScopedModel

__all__ = ["AlerteEnvoyee"]


class AlerteEnvoyee(CentreScopedModel):
    """One item of the digest, sent on ``envoyee_le``. Its key carries the date the item is
    about ("convention:12:fin:2027-01-31"): when that date changes (a convention extended, a
    deadline moved), the key changes and the item is told again; otherwise never."""

    cle = models.CharField(_("clé"), max_length=100)
    envoyee_le = models.DateTimeField(_("envoyée le"), default=timezone.now)

    objects = CentreManager()

    class Meta:
        verbose_name = _("alerte envoyée")
        verbose_name_plural = _("alertes envoyées")
        ordering = ["-envoyee_le"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "cle"], name="alerte_envoyee_unique")
        ]

    def __str__(self):
        return self.cle
