"""What institutions ask of the centre (source 05, "convocations qui tombent du ciel"): to
appear as partner in a grant application, to sit on a committee, to cosign a project; and
what the centre decided."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partenariats.enums import DecisionSollicitation, NatureSollicitation
from partenariats.models.annuaire import TEXTE_MAX, Partenaire
from partenariats.models.liens import Partenariat
from reseau.models import CentreManager, CentreScopedModel, CentreScopedQuerySet, historique_manager

__all__ = ["Sollicitation", "SollicitationQuerySet"]


class SollicitationQuerySet(CentreScopedQuerySet):
    def ouvertes(self):
        """Requests still to decide, or being negotiated."""
        return self.filter(
            decision__in=[DecisionSollicitation.A_DECIDER, DecisionSollicitation.NEGOCIER]
        )


class Sollicitation(CentreScopedModel):
    demandeur = models.ForeignKey(
        Partenaire,
        verbose_name=_("demandeur"),
        on_delete=models.PROTECT,
        related_name="sollicitations",
        help_text=_("L'institution ou l'association qui fait la demande."),
    )
    nature = models.CharField(_("nature"), max_length=20, choices=NatureSollicitation.choices)
    objet = models.CharField(_("objet"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(TEXTE_MAX)]
    )
    recue_le = models.DateField(_("reçue le"))
    echeance = models.DateField(_("réponse attendue avant le"), null=True, blank=True)
    associe_conception = models.BooleanField(
        _("le centre a été associé à sa conception"),
        default=False,
        help_text=_("Cochez si le centre a été consulté avant que la demande soit écrite."),
    )
    decision = models.CharField(
        _("décision"),
        max_length=20,
        choices=DecisionSollicitation.choices,
        default=DecisionSollicitation.A_DECIDER,
    )
    raison = models.TextField(
        _("raison de la décision"), blank=True, validators=[MaxLengthValidator(TEXTE_MAX)]
    )
    decidee_le = models.DateField(_("décidée le"), null=True, blank=True)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What accepting it became; the link stays, so that a partnership says where it came from.
    partenariat = models.ForeignKey(
        Partenariat,
        verbose_name=_("partenariat issu de la demande"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sollicitations",
    )
    cree_le = models.DateTimeField(_("créée le"), auto_now_add=True)
    # The recording form's one-time key (as ``Partenaire.cle_creation``): the same form sent
    # twice records one request (``sollicitation_creer``; the unique constraint settles a race).
    cle_creation = models.UUIDField(_("clé de création"), null=True, blank=True, editable=False)

    objects = CentreManager(SollicitationQuerySet)
    history = HistoricalRecords(
        excluded_fields=["cree_le", "cle_creation"], history_manager=historique_manager()
    )

    class Meta:
        verbose_name = _("demande reçue")
        verbose_name_plural = _("demandes reçues")
        ordering = [models.F("echeance").asc(nulls_last=True), "-recue_le"]
        indexes = [
            models.Index(
                fields=["centre", "decision", "echeance"], name="sollicitation_ouverte_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "cle_creation"], name="sollicitation_cle_creation_unique"
            )
        ]

    def __str__(self):
        return f"{self.demandeur.nom} : {self.objet}"

    def get_absolute_url(self):
        return reverse("partenariats:sollicitation_detail", args=[self.pk])
