"""Funding agreements (source 02: multi-year, multi-partner): a funder, a purpose, amounts per
year, a status, the signed document."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commun.fichiers import CheminPrive
from partenariats.enums import StatutConvention
from partenariats.models.annuaire import TEXTE_MAX, Partenaire
from partenariats.models.projets import Projet
from reseau.models import CentreManager, CentreScopedModel, CentreScopedQuerySet, historique_manager

__all__ = ["Convention", "MontantConvention"]


class ConventionQuerySet(CentreScopedQuerySet):
    def comptees(self):
        """The agreements whose amounts count in totals: all but the refused requests (a
        request still waiting for an answer counts, as the money the centre asked for)."""
        return self.exclude(statut=StatutConvention.REFUSEE)

    def en_cours_en(self, annee):
        """The agreements whose period covers some of ``annee``."""
        return self.filter(debut__year__lte=annee, fin__year__gte=annee)


class Convention(CentreScopedModel):
    financeur = models.ForeignKey(
        Partenaire,
        verbose_name=_("financeur"),
        on_delete=models.PROTECT,
        related_name="conventions",
    )
    # Several funders may fund one project: one agreement each.
    projet = models.ForeignKey(
        Projet,
        verbose_name=_("projet financé"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conventions",
    )
    objet = models.CharField(_("objet"), max_length=200)
    reference = models.CharField(_("référence du financeur"), max_length=100, blank=True)
    statut = models.CharField(
        _("statut"),
        max_length=20,
        choices=StatutConvention.choices,
        default=StatutConvention.DEMANDEE,
    )
    debut = models.DateField(_("début"))
    fin = models.DateField(_("fin"))
    notes = models.TextField(_("notes"), blank=True, validators=[MaxLengthValidator(TEXTE_MAX)])
    document = models.FileField(
        _("convention signée (PDF)"), upload_to=CheminPrive("conventions"), blank=True
    )
    document_nom = models.CharField(_("nom du document"), max_length=200, blank=True)
    cree_le = models.DateTimeField(_("créée le"), auto_now_add=True)
    modifie_le = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = CentreManager(ConventionQuerySet)
    history = HistoricalRecords(
        excluded_fields=["cree_le", "modifie_le"], history_manager=historique_manager()
    )

    class Meta:
        verbose_name = _("convention de financement")
        verbose_name_plural = _("conventions de financement")
        ordering = ["-debut", "financeur__nom_tri"]
        indexes = [models.Index(fields=["centre", "statut", "fin"], name="convention_fin_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gte=models.F("debut")), name="convention_fin_apres_debut"
            )
        ]

    def __str__(self):
        return f"{self.financeur.nom} : {self.objet}"

    def get_absolute_url(self):
        return reverse("partenariats:convention_detail", args=[self.pk])

    def clean(self):
        # Said in words before the database's constraint says it in its own.
        if self.debut and self.fin and self.fin < self.debut:
            raise ValidationError({"fin": _("La fin ne peut pas précéder le début.")})

    @property
    def est_comptee(self):
        return self.statut != StatutConvention.REFUSEE


class MontantConvention(models.Model):
    """The amount of one year of an agreement, in euros with cents."""

    convention = models.ForeignKey(
        Convention,
        verbose_name=_("convention"),
        on_delete=models.CASCADE,
        related_name="montants",
    )
    annee = models.PositiveSmallIntegerField(_("année"), validators=[MinValueValidator(2000)])
    montant = models.DecimalField(
        _("montant (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    objects = CentreManager(centre="convention__centre")
    history = HistoricalRecords(history_manager=historique_manager(centre="convention__centre"))

    class Meta:
        verbose_name = _("montant annuel")
        verbose_name_plural = _("montants annuels")
        ordering = ["annee"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "annee"], name="montant_unique_par_annee"
            ),
            models.CheckConstraint(condition=Q(montant__gte=0), name="montant_positif"),
        ]

    def __str__(self):
        return f"{self.annee} : {self.montant} €"
