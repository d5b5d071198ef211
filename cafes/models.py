import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cafes.enums import Jour, Rang, Reponse, StatutCafe, TypeCafe
from partenariats.models import Partenaire, Theme
from reseau.models import CentreManager, CentreScopedModel

# Cafés happen in France: their date and times are Paris wall-clock times.
FUSEAU = ZoneInfo("Europe/Paris")


# A café's date lies within these bounds from today: a typo (1900, 9999) is refused, while a
# café held two years ago can still be recorded and a series programmed years ahead.
CAFE_PASSE_MAX = timedelta(days=2 * 365)
CAFE_FUTUR_MAX = timedelta(days=5 * 365)
# Longest note of the tour de table and compte rendu (assembled from the notes), in characters.
NOTE_MAX = 5000
COMPTE_RENDU_MAX = 100_000
COMMENTAIRE_MAX = 1000


def valider_date_cafe(valeur):
    aujourdhui = timezone.localdate()
    debut, fin = aujourdhui - CAFE_PASSE_MAX, aujourdhui + CAFE_FUTUR_MAX
    if not debut <= valeur <= fin:
        raise ValidationError(
            _("Choisissez une date entre le %(debut)s et le %(fin)s."),
            code="date_hors_limites",
            params={"debut": date_format(debut), "fin": date_format(fin)},
        )


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
        help_text=_("Le rappel part ce nombre de jours avant le café ; 0 : pas de rappel."),
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
    date = models.DateField(_("date"), validators=[valider_date_cafe])
    heure_debut = models.TimeField(_("début"))
    heure_fin = models.TimeField(_("fin"))
    hote = models.ForeignKey(
        Partenaire,
        verbose_name=_("hôte"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cafes_accueillis",
        help_text=_("Vide : le centre accueille le café."),
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
    message_invitation = models.TextField(
        _("message personnel des invitations"),
        blank=True,
        help_text=_("Ajouté au courriel d'invitation, tel quel."),
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

    @property
    def debut(self):
        """The start, an aware datetime in Europe/Paris (the RSVP deadline, the .ics, the
        partner's timeline all use this one)."""
        return datetime.combine(self.date, self.heure_debut, tzinfo=FUSEAU)

    @property
    def fin(self):
        """The end, an aware datetime in Europe/Paris (RSVP links expire then)."""
        return datetime.combine(self.date, self.heure_fin, tzinfo=FUSEAU)

    @property
    def reponses_ouvertes(self):
        """Answers can change until the café starts, unless it is cancelled."""
        return self.statut != StatutCafe.ANNULE and timezone.now() < self.debut


# The contact of an invitation may still receive email: an address, no opt-out (as
# ``Contact.objects.joignables()``, seen from the invitation).
JOIGNABLE = Q(contact__desinscrit_le__isnull=True) & ~Q(contact__email="")
# Expected at the café: answered yes or maybe, or added at the door.
ATTENDUE = Q(reponse__in=[Reponse.OUI, Reponse.PEUT_ETRE]) | Q(sur_place=True)
# Due the invitation email: invited, not a walk-in added at check-in nor someone already
# checked in (they are in the room: an invitation would be noise).
A_INVITER = Q(sur_place=False, present=False)

_COMPTES = {
    # Walk-ins are attendance, not invitations: they are counted apart (``sur_place``).
    "total": Count("pk", filter=Q(sur_place=False)),
    "envoyees": Count("pk", filter=Q(envoyee_le__isnull=False)),
    "en_attente": Count("pk", filter=JOIGNABLE & A_INVITER & Q(envoyee_le__isnull=True)),
    "oui": Count("pk", filter=Q(reponse=Reponse.OUI)),
    "non": Count("pk", filter=Q(reponse=Reponse.NON)),
    "peut_etre": Count("pk", filter=Q(reponse=Reponse.PEUT_ETRE)),
    "sans_reponse": Count("pk", filter=Q(reponse="", sur_place=False)),
    "sur_place": Count("pk", filter=Q(sur_place=True)),
    # People announced by the "yes" answers (``nb_personnes``), as ``places_reservees``.
    "personnes": Coalesce(Sum("nb_personnes", filter=Q(reponse=Reponse.OUI)), 0),
}


class InvitationQuerySet(models.QuerySet):
    """The reads of invitations that views, services and tasks share."""

    def joignables(self):
        return self.filter(JOIGNABLE)

    def a_envoyer(self):
        """Not emailed yet, still reachable, and not in the room already (walk-ins added at
        check-in, people checked in): what the sending has left to do."""
        return self.joignables().filter(A_INVITER, envoyee_le__isnull=True)

    def a_prevenir(self):
        """Emailed already and still reachable: the people whose calendars hold the café, who
        hear of a change, a cancellation or its reversal."""
        return self.joignables().filter(envoyee_le__isnull=False)

    def a_rappeler(self):
        """Due a reminder: emailed, reachable, not answered "no", not reminded yet."""
        return self.a_prevenir().exclude(reponse=Reponse.NON).filter(rappel_envoye_le__isnull=True)

    def sans_compte_rendu(self):
        """Reachable and not sent the minutes yet."""
        return self.joignables().filter(compte_rendu_envoye_le__isnull=True)

    def attendues(self):
        return self.filter(ATTENDUE)

    def avec_attendue(self):
        """Each invitation carries ``attendue`` (see ``attendues``)."""
        return self.annotate(attendue=ExpressionWrapper(ATTENDUE, output_field=BooleanField()))

    def par_organisation(self):
        """With contact and partner, by organisation then name (the check-in screen and the
        sign-in sheet)."""
        return self.select_related("contact__partenaire").order_by(
            "contact__partenaire__nom", "contact__partenaire_id", "contact__nom", "pk"
        )

    def places_reservees(self):
        """People announced by the "yes" answers."""
        return self.filter(reponse=Reponse.OUI).aggregate(total=Sum("nb_personnes"))["total"] or 0

    def totaux(self):
        """Counted in one query: ``total`` invited (walk-ins apart), ``envoyees``,
        ``en_attente`` (what ``a_envoyer`` has left: the sending is under way), ``oui``,
        ``non``, ``peut_etre``, ``sans_reponse`` (invited, walk-ins apart), ``sur_place``
        (walk-ins added at check-in) and ``personnes`` (the head count of the "yes")."""
        return self.aggregate(**_COMPTES)

    def totaux_par_organisation(self):
        """The counts of ``totaux`` per partner (``contact__partenaire_id``, ``nom``), by name:
        a lazy queryset, for a page to paginate."""
        return (
            self.order_by()
            .values("contact__partenaire_id", nom=F("contact__partenaire__nom"))
            .annotate(**_COMPTES)
            .order_by("nom", "contact__partenaire_id")
        )

    def envois_compte_rendu(self):
        """``{"a_envoyer": …, "deja": …}``: invitations still due the minutes, and those
        already sent them, in one query."""
        return self.aggregate(
            a_envoyer=Count("pk", filter=JOIGNABLE & Q(compte_rendu_envoye_le__isnull=True)),
            deja=Count("pk", filter=Q(compte_rendu_envoye_le__isnull=False)),
        )


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
    # Set in the transaction that prepares the email: each goes once per invitation.
    rappel_envoye_le = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    compte_rendu_envoye_le = models.DateTimeField(
        _("compte rendu envoyé le"), null=True, blank=True
    )
    reponse = models.CharField(_("réponse"), max_length=20, choices=Reponse.choices, blank=True)
    nb_personnes = models.PositiveSmallIntegerField(_("nombre de personnes"), default=1)
    commentaire = models.TextField(
        _("commentaire"),
        blank=True,
        max_length=COMMENTAIRE_MAX,
        validators=[MaxLengthValidator(COMMENTAIRE_MAX)],
    )
    repondu_le = models.DateTimeField(_("répondu le"), null=True, blank=True)
    present = models.BooleanField(_("présent"), default=False)
    sur_place = models.BooleanField(
        _("présence sans invitation"),
        default=False,
        help_text=_("Présence enregistrée le jour même, au pointage, sans invitation préalable."),
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

    objects = CentreManager(InvitationQuerySet, centre="cafe__centre")

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
    texte = models.TextField(
        _("ce qui a été partagé"), max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)]
    )
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
    texte = models.TextField(
        _("compte rendu"),
        max_length=COMPTE_RENDU_MAX,
        validators=[MaxLengthValidator(COMPTE_RENDU_MAX)],
    )
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)
    envoye_le = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    objects = CentreManager(models.QuerySet, centre="cafe__centre")

    class Meta:
        verbose_name = _("compte rendu")
        verbose_name_plural = _("comptes rendus")

    def __str__(self):
        return str(self.cafe)
