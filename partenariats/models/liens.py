"""What the centre does with a partner: the partnership (type, level of involvement, horizon,
how it was built), and for an orientation partnership its signed protocol."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commun.fichiers import CheminPrive
from partenariats.enums import (
    Construction,
    Horizon,
    NiveauImplication,
    StatutPartenariat,
    TypePartenariat,
)
from partenariats.models.annuaire import TEXTE_MAX, Contact, Partenaire
from reseau.models import CentreManager, CentreScopedModel, CentreScopedQuerySet, historique_manager

__all__ = ["INTITULES", "Partenariat", "PartenariatQuerySet", "ProtocoleOrientation"]

# "Se termine bientôt" on the list of partnerships.
FIN_PROCHE = timedelta(days=90)

# A partnership named by its type, as staff say it.
INTITULES = {
    TypePartenariat.ORIENTATION: _("Partenariat d'orientation"),
    TypePartenariat.ACTION: _("Partenariat d'action"),
    TypePartenariat.PROJET: _("Partenariat de projet"),
    TypePartenariat.CONCERTATION: _("Partenariat de concertation"),
}


class PartenariatQuerySet(CentreScopedQuerySet):
    def en_cours(self):
        """Partnerships the centre lives today: envisaged, active or paused."""
        return self.exclude(statut=StatutPartenariat.TERMINE)

    def se_terminant(self, delai=FIN_PROCHE):
        """Partnerships still going whose end date falls between today and ``delai`` from
        now (a timedelta)."""
        aujourd_hui = timezone.localdate()
        return self.en_cours().filter(fin__gte=aujourd_hui, fin__lte=aujourd_hui + delai)

    def echus(self):
        """Partnerships still "actif" whose end date has passed: to end or to extend."""
        return self.filter(statut=StatutPartenariat.ACTIF, fin__lt=timezone.localdate())


class Partenariat(CentreScopedModel):
    """A relation between the centre and one partner. A partner may have several: one per
    type, or several actions."""

    partenaire = models.ForeignKey(
        Partenaire,
        verbose_name=_("partenaire"),
        on_delete=models.PROTECT,
        related_name="partenariats",
    )
    type = models.CharField(_("type"), max_length=20, choices=TypePartenariat.choices)
    niveau = models.CharField(
        _("niveau d'implication"), max_length=20, choices=NiveauImplication.choices
    )
    horizon = models.CharField(_("horizon"), max_length=10, choices=Horizon.choices)
    objet = models.CharField(
        _("objet"),
        max_length=200,
        help_text=_("En une phrase : ce que le centre fait avec ce partenaire."),
    )
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(TEXTE_MAX)]
    )
    debut = models.DateField(_("début"), null=True, blank=True)
    fin = models.DateField(_("fin"), null=True, blank=True)
    statut = models.CharField(
        _("statut"),
        max_length=20,
        choices=StatutPartenariat.choices,
        default=StatutPartenariat.ACTIF,
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("référent au centre"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partenariats_suivis",
    )
    construction = models.CharField(
        _("construction du partenariat"),
        max_length=20,
        choices=Construction.choices,
        help_text=_("Le centre a-t-il été consulté, ou déclaré partenaire sur le papier ?"),
    )
    construction_commentaire = models.TextField(
        _("commentaire sur la construction"),
        blank=True,
        validators=[MaxLengthValidator(TEXTE_MAX)],
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = CentreManager(PartenariatQuerySet)
    history = HistoricalRecords(
        excluded_fields=["cree_le", "modifie_le"], history_manager=historique_manager()
    )

    class Meta:
        verbose_name = _("partenariat")
        verbose_name_plural = _("partenariats")
        ordering = ["partenaire__nom_tri", "type", "-debut"]
        indexes = [
            models.Index(fields=["centre", "statut", "fin"], name="partenariat_statut_fin_idx"),
            models.Index(fields=["centre", "type"], name="partenariat_type_idx"),
            # The newest partnerships of each cell of the frise, without reading the others
            # (partenariats.selectors_cartes.frise_du_centre).
            models.Index(
                fields=["centre", "niveau", "horizon", "id"], name="partenariat_frise_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__isnull=True)
                | Q(debut__isnull=True)
                | Q(fin__gte=models.F("debut")),
                name="partenariat_fin_apres_debut",
            )
        ]

    def __str__(self):
        return f"{self.get_type_display()} · {self.partenaire.nom} : {self.objet}"

    def get_absolute_url(self):
        return reverse("partenariats:partenariat_detail", args=[self.pk])

    @property
    def intitule(self):
        """ "Partenariat d'action", "Partenariat de projet"…"""
        return INTITULES[self.type]

    @property
    def echu(self):
        """Still "actif" although its end date has passed (see ``PartenariatQuerySet.echus``)."""
        return (
            self.statut == StatutPartenariat.ACTIF
            and self.fin is not None
            and self.fin < timezone.localdate()
        )

    @property
    def fin_proche(self):
        """Still going, and ending within ``FIN_PROCHE``: see ``se_terminant``."""
        aujourd_hui = timezone.localdate()
        return (
            self.statut != StatutPartenariat.TERMINE
            and self.fin is not None
            and aujourd_hui <= self.fin <= aujourd_hui + FIN_PROCHE
        )

    @property
    def est_orientation(self):
        """An orientation partnership, framed by a protocol (``ProtocoleOrientation``)."""
        return self.type == TypePartenariat.ORIENTATION


class ProtocoleOrientation(models.Model):
    """The signed agreement that frames an orientation partnership (source 01): the partner's
    social workers refer people to the centre's workshops. The orientations app builds on it.
    """

    partenariat = models.OneToOneField(
        Partenariat,
        verbose_name=_("partenariat"),
        on_delete=models.CASCADE,
        related_name="protocole",
        limit_choices_to={"type": TypePartenariat.ORIENTATION},
    )
    signe_le = models.DateField(_("signé le"))
    valide_jusqu_au = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    # Served only to the centre's members, by a view (``commun.fichiers.reponse_fichier``).
    document = models.FileField(
        _("protocole signé (PDF)"), upload_to=CheminPrive("protocoles"), blank=True
    )
    document_nom = models.CharField(_("nom du document"), max_length=200, blank=True)
    prescripteurs = models.ManyToManyField(
        Contact,
        verbose_name=_("contacts autorisés à orienter"),
        blank=True,
        related_name="protocoles",
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = CentreManager(centre="partenariat__centre")
    history = HistoricalRecords(
        excluded_fields=["cree_le", "modifie_le"],
        history_manager=historique_manager(centre="partenariat__centre"),
    )

    class Meta:
        verbose_name = _("protocole d'orientation")
        verbose_name_plural = _("protocoles d'orientation")
        constraints = [
            models.CheckConstraint(
                condition=Q(valide_jusqu_au__isnull=True)
                | Q(valide_jusqu_au__gte=models.F("signe_le")),
                name="protocole_validite_apres_signature",
            )
        ]

    def __str__(self):
        return str(
            _("Protocole d'orientation : %(partenaire)s")
            % {"partenaire": self.partenariat.partenaire.nom}
        )
