"""The centre's projects and actions, the partners in each (RACI role, level of involvement,
freins et leviers), and the reviews (bilans) that show partners and funders how it goes."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commun.fichiers import CheminPrive
from partenariats.enums import GenreProjet, Horizon, NiveauImplication, RoleRaci, StatutProjet
from partenariats.models.annuaire import TEXTE_MAX, Partenaire
from reseau.models import CentreManager, CentreScopedModel, CentreScopedQuerySet, historique_manager

__all__ = ["Bilan", "ChiffreBilan", "ParticipationProjet", "PieceBilan", "Projet"]


class Projet(CentreScopedModel):
    titre = models.CharField(_("titre"), max_length=200)
    genre = models.CharField(
        _("action ou projet"),
        max_length=10,
        choices=GenreProjet.choices,
        default=GenreProjet.PROJET,
    )
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(TEXTE_MAX)]
    )
    diagnostic = models.TextField(
        _("diagnostic partagé"),
        blank=True,
        validators=[MaxLengthValidator(TEXTE_MAX)],
        help_text=_("Les constats, partagés avec les partenaires, dont part le projet."),
    )
    # Empty: the centre carries it.
    porteur = models.ForeignKey(
        Partenaire,
        verbose_name=_("porté par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projets_portes",
        help_text=_("Vide : le centre porte le projet."),
    )
    debut = models.DateField(_("début"), null=True, blank=True)
    fin = models.DateField(_("fin"), null=True, blank=True)
    statut = models.CharField(
        _("statut"),
        max_length=20,
        choices=StatutProjet.choices,
        default=StatutProjet.EN_PREPARATION,
    )
    partenaires = models.ManyToManyField(
        Partenaire, through="ParticipationProjet", related_name="projets", blank=True
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = CentreManager(CentreScopedQuerySet)
    history = HistoricalRecords(
        excluded_fields=["cree_le", "modifie_le"], history_manager=historique_manager()
    )

    class Meta:
        verbose_name = _("projet")
        verbose_name_plural = _("projets")
        ordering = ["-debut", "titre"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__isnull=True)
                | Q(debut__isnull=True)
                | Q(fin__gte=models.F("debut")),
                name="projet_fin_apres_debut",
            )
        ]

    def __str__(self):
        return self.titre

    def get_absolute_url(self):
        return reverse("partenariats:projet_detail", args=[self.pk])


class ParticipationProjet(models.Model):
    """A partner in a project: its RACI role, its level of involvement and horizon (its place
    on the project's frise), and what may hold it back or draw it in (source 03, "faire un
    pas de côté")."""

    projet = models.ForeignKey(
        Projet, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="participations"
    )
    partenaire = models.ForeignKey(
        Partenaire,
        verbose_name=_("partenaire"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    role = models.CharField(_("rôle (RACI)"), max_length=1, choices=RoleRaci.choices)
    niveau = models.CharField(
        _("niveau d'implication"), max_length=20, choices=NiveauImplication.choices
    )
    horizon = models.CharField(
        _("horizon"), max_length=10, choices=Horizon.choices, default=Horizon.COURT
    )
    freins = models.TextField(
        _("freins"),
        blank=True,
        validators=[MaxLengthValidator(TEXTE_MAX)],
        help_text=_("Ce qui peut retenir ce partenaire."),
    )
    leviers = models.TextField(
        _("leviers"),
        blank=True,
        validators=[MaxLengthValidator(TEXTE_MAX)],
        help_text=_("Ce qui peut l'attirer dans le projet."),
    )

    objects = CentreManager(centre="projet__centre")
    history = HistoricalRecords(history_manager=historique_manager(centre="projet__centre"))

    class Meta:
        verbose_name = _("partenaire du projet")
        verbose_name_plural = _("partenaires du projet")
        ordering = ["projet", "role", "partenaire__nom_tri"]
        constraints = [
            models.UniqueConstraint(
                fields=["projet", "partenaire"], name="participation_unique_par_projet"
            )
        ]

    def __str__(self):
        return f"{self.partenaire.nom} ({self.role})"


class Bilan(models.Model):
    """A dated review of a project: text, named figures, photos and documents."""

    projet = models.ForeignKey(
        Projet, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="bilans"
    )
    date = models.DateField(_("date"))
    titre = models.CharField(_("titre"), max_length=200)
    texte = models.TextField(_("texte"), blank=True, validators=[MaxLengthValidator(TEXTE_MAX)])
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rédigé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = CentreManager(centre="projet__centre")
    history = HistoricalRecords(
        excluded_fields=["cree_le", "modifie_le"],
        history_manager=historique_manager(centre="projet__centre"),
    )

    class Meta:
        verbose_name = _("bilan")
        verbose_name_plural = _("bilans")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return self.titre

    def get_absolute_url(self):
        return reverse("partenariats:bilan_detail", args=[self.pk])


class ChiffreBilan(models.Model):
    """A named figure of a review: "participants : 42"."""

    bilan = models.ForeignKey(
        Bilan, verbose_name=_("bilan"), on_delete=models.CASCADE, related_name="chiffres"
    )
    libelle = models.CharField(_("libellé"), max_length=100)
    valeur = models.DecimalField(_("valeur"), max_digits=12, decimal_places=2)
    unite = models.CharField(_("unité"), max_length=30, blank=True)
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)

    objects = CentreManager(centre="bilan__projet__centre")

    class Meta:
        verbose_name = _("chiffre")
        verbose_name_plural = _("chiffres")
        ordering = ["ordre", "pk"]

    def __str__(self):
        return f"{self.libelle} : {self.valeur}"


class PieceBilan(models.Model):
    """A photo or document of a review, checked by its content on upload and served only to
    the centre's members."""

    bilan = models.ForeignKey(
        Bilan, verbose_name=_("bilan"), on_delete=models.CASCADE, related_name="pieces"
    )
    fichier = models.FileField(_("fichier"), upload_to=CheminPrive("bilans"))
    nom = models.CharField(_("nom du fichier"), max_length=200)
    nature = models.CharField(_("nature"), max_length=10)
    taille = models.PositiveIntegerField(_("taille (octets)"))
    legende = models.CharField(_("légende"), max_length=200, blank=True)
    cree_le = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    objects = CentreManager(centre="bilan__projet__centre")

    class Meta:
        verbose_name = _("pièce d'un bilan")
        verbose_name_plural = _("pièces d'un bilan")
        ordering = ["pk"]

    def __str__(self):
        return self.nom

    @property
    def est_image(self):
        return self.nature in ("jpeg", "png")
