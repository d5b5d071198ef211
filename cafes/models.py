import uuid
from datetime import time

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cafes.enums import Jour, Rang, Reponse, StatutCafe, TypeCafe
from partenariats.models import Partenaire, Theme
from reseau.models import CentreManager, CentreScopedModel


class CafeSerie(CentreScopedModel):
    """A recurring Café partenaires ("Café partenaires de Montanou"): its usual rule, its default
    circle of invited organisations and the partners that take turns hosting it."""

    nom = models.CharField(_("nom"), max_length=200)
    rang = models.SmallIntegerField(
        _("semaine du mois"), choices=Rang.choices, default=Rang.PREMIER
    )
    jour = models.SmallIntegerField(_("jour"), choices=Jour.choices, default=Jour.VENDREDI)
    heure_debut = models.TimeField(_("début"), default=time(9, 0))
    heure_fin = models.TimeField(_("fin"), default=time(10, 30))
    # The circle: organisations of these categories or themes, plus those picked by hand.
    categories = models.JSONField(_("catégories invitées"), default=list, blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("thèmes invités"), blank=True, related_name="+"
    )
    partenaires = models.ManyToManyField(
        Partenaire, verbose_name=_("partenaires invités"), blank=True, related_name="+"
    )
    rappel_jours = models.PositiveSmallIntegerField(
        _("rappel (jours avant)"),
        default=2,
        help_text=_("Le rappel part ce nombre de jours avant le café ; 0 : pas de rappel."),
    )
    # Dates of the rule that staff unticked when programming (ISO strings): offered unticked
    # the next time, so that extending the programme does not bring them back unnoticed.
    dates_exclues = models.JSONField(_("dates écartées"), default=list, blank=True)
    cree_le = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("série de cafés partenaires")
        verbose_name_plural = _("séries de cafés partenaires")
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(heure_fin__gt=models.F("heure_debut")),
                name="serie_heures_ordonnees",
                violation_error_message=_("Le café doit finir après avoir commencé."),
            )
        ]

    def __str__(self):
        return self.nom


class HoteSerie(models.Model):
    """A partner that can host the series' cafés, in rotation order, with the address to give."""

    serie = models.ForeignKey(
        CafeSerie, verbose_name=_("série"), on_delete=models.CASCADE, related_name="hotes"
    )
    partenaire = models.ForeignKey(
        Partenaire, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="+"
    )
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)
    adresse = models.CharField(_("adresse du café"), max_length=255, blank=True)

    objects = CentreManager(models.QuerySet, centre="serie__centre")

    class Meta:
        verbose_name = _("hôte de la série")
        verbose_name_plural = _("hôtes de la série")
        ordering = ["serie", "ordre", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["serie", "partenaire"], name="hote_unique_par_serie")
        ]

    def __str__(self):
        return str(self.partenaire)


class Cafe(CentreScopedModel):
    """One Café partenaires. No host means the centre hosts it.

    ``uid`` and ``sequence`` make the calendar invitation (.ics) of a café replace the earlier
    one in people's calendars when it changes.
    """

    serie = models.ForeignKey(
        CafeSerie, verbose_name=_("série"), on_delete=models.PROTECT, related_name="cafes"
    )
    date = models.DateField(_("date"))
    heure_debut = models.TimeField(_("début"))
    heure_fin = models.TimeField(_("fin"))
    hote = models.ForeignKey(
        Partenaire,
        verbose_name=_("hôte"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cafes_accueillis",
        help_text=_("Vide : le centre accueille le café."),
    )
    adresse = models.CharField(_("adresse"), max_length=255)
    type = models.CharField(
        _("type"), max_length=20, choices=TypeCafe.choices, default=TypeCafe.GENERALISTE
    )
    theme = models.ForeignKey(
        Theme, verbose_name=_("thème"), on_delete=models.PROTECT, null=True, blank=True
    )
    capacite = models.PositiveSmallIntegerField(_("capacité"), null=True, blank=True)
    statut = models.CharField(
        _("statut"), max_length=30, choices=StatutCafe.choices, default=StatutCafe.PREVU
    )
    partenaires_ajoutes = models.ManyToManyField(
        Partenaire, verbose_name=_("organisations ajoutées"), blank=True, related_name="+"
    )
    partenaires_retires = models.ManyToManyField(
        Partenaire, verbose_name=_("organisations retirées"), blank=True, related_name="+"
    )
    uid = models.UUIDField(_("identifiant de calendrier"), default=uuid.uuid4, unique=True)
    sequence = models.PositiveIntegerField(_("version du calendrier"), default=0)
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("café partenaires")
        verbose_name_plural = _("cafés partenaires")
        ordering = ["date", "heure_debut"]
        constraints = [
            models.UniqueConstraint(fields=["serie", "date"], name="cafe_unique_par_serie_et_date"),
            models.CheckConstraint(
                condition=Q(heure_fin__gt=models.F("heure_debut")),
                name="cafe_heures_ordonnees",
                violation_error_message=_("Le café doit finir après avoir commencé."),
            ),
            models.CheckConstraint(
                condition=~Q(type=TypeCafe.THEMATIQUE) | Q(theme__isnull=False),
                name="cafe_thematique_a_un_theme",
                violation_error_message=_("Un café thématique a un thème."),
            ),
        ]

    def __str__(self):
        return f"{self.serie} — {self.date:%d/%m/%Y}"


class Invitation(models.Model):
    """One contact invited to one café: the email sent, the answer, the attendance.

    ``invitee_par`` links a colleague sent in someone's place to the invitation that sent them.
    """

    cafe = models.ForeignKey(
        Cafe, verbose_name=_("café"), on_delete=models.CASCADE, related_name="invitations"
    )
    contact = models.ForeignKey(
        "partenariats.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="invitations_cafe",
    )
    courriel = models.ForeignKey(
        "courrier.Courriel",
        verbose_name=_("courriel d'invitation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    envoyee_le = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    reponse = models.CharField(_("réponse"), max_length=20, choices=Reponse.choices, blank=True)
    nb_personnes = models.PositiveSmallIntegerField(_("nombre de personnes"), default=1)
    commentaire = models.TextField(_("commentaire"), blank=True)
    repondu_le = models.DateTimeField(_("répondu le"), null=True, blank=True)
    present = models.BooleanField(_("présent"), default=False)
    sur_place = models.BooleanField(
        _("venu sans invitation"),
        default=False,
        help_text=_("Ajouté le jour même, à l'accueil du café."),
    )
    invitee_par = models.ForeignKey(
        "self",
        verbose_name=_("à la place de"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="remplacants",
    )
    cree_le = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = CentreManager(models.QuerySet, centre="cafe__centre")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["contact__partenaire__nom", "contact__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["cafe", "contact"], name="invitation_unique_par_contact"
            )
        ]

    def __str__(self):
        return f"{self.contact} — {self.cafe}"


class NoteTourDeTable(models.Model):
    """What one organisation shared at the café's tour de table."""

    cafe = models.ForeignKey(
        Cafe, verbose_name=_("café"), on_delete=models.CASCADE, related_name="notes"
    )
    partenaire = models.ForeignKey(
        Partenaire, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    texte = models.TextField(_("ce qui a été partagé"))
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = CentreManager(models.QuerySet, centre="cafe__centre")

    class Meta:
        verbose_name = _("note du tour de table")
        verbose_name_plural = _("notes du tour de table")
        ordering = ["partenaire__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["cafe", "partenaire"], name="note_unique_par_organisation"
            )
        ]

    def __str__(self):
        return f"{self.partenaire} — {self.cafe}"


class CompteRendu(models.Model):
    """The café's minutes: assembled from the tour de table, edited by staff, then emailed."""

    cafe = models.OneToOneField(
        Cafe, verbose_name=_("café"), on_delete=models.CASCADE, related_name="compte_rendu"
    )
    texte = models.TextField(_("compte rendu"))
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)
    envoye_le = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    objects = CentreManager(models.QuerySet, centre="cafe__centre")

    class Meta:
        verbose_name = _("compte rendu")
        verbose_name_plural = _("comptes rendus")

    def __str__(self):
        return str(self.cafe)
