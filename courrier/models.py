from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from courrier.enums import StatutCourriel
from reseau.models import CentreManager, CentreScopedQuerySet


class CourrielQuerySet(CentreScopedQuerySet):
    def relancables(self):
        return self.filter(statut__in=[StatutCourriel.ECHEC, StatutCourriel.ANNULE])

    def bloques(self, *, avant, essai_avant=None):
        """Rows a worker should have handled before ``avant`` and did not.

        Queued rows whose planned attempt is older than ``essai_avant`` (by default
        ``avant``), or, never tried, whose last change is older than ``avant``: their task was
        lost (broker down at commit, worker killed). Rows in sending since before ``avant``:
        the worker died mid-send.
        """
        en_attente = Q(statut=StatutCourriel.EN_ATTENTE) & (
            Q(prochain_essai__lt=essai_avant or avant)
            | Q(prochain_essai__isnull=True, modifie_le__lt=avant)
        )
        envoi = Q(statut=StatutCourriel.ENVOI, modifie_le__lt=avant)
        return self.filter(en_attente | envoi)

    def comptes_par_statut(self):
        """``{statut: nombre}`` for every status (zeros included), in one query."""
        return self.aggregate(
            **{statut.value: Count("pk", filter=Q(statut=statut)) for statut in StatutCourriel}
        )


class Courriel(models.Model):
    """One email to one recipient, from its preparation to its delivery (or failure).

    Rows are written by ``courrier.services`` only: the status tells where the email is, and
    ``derniere_erreur`` what the SMTP server last answered.
    """

    centre = models.ForeignKey(
        "reseau.Centre",
        verbose_name=_("centre"),
        on_delete=models.CASCADE,
        related_name="courriels",
        # System emails (password reset) belong to no centre.
        null=True,
        blank=True,
    )
    destinataire = models.EmailField(_("destinataire"))
    sujet = models.CharField(_("sujet"), max_length=998)
    corps_texte = models.TextField(_("corps en texte brut"))
    corps_html = models.TextField(_("corps HTML"), blank=True)
    # The sender's address is always DEFAULT_FROM_EMAIL (the domain's SPF and DKIM); its
    # display name and the Reply-To say who writes and where answers go.
    expediteur_nom = models.CharField(_("nom de l'expéditeur"), max_length=200, blank=True)
    repondre_a = models.CharField(
        _("adresses de réponse"),
        max_length=998,
        blank=True,
        help_text=_("En-tête Reply-To : adresses séparées par des virgules."),
    )
    en_tetes = models.JSONField(_("en-têtes supplémentaires"), default=dict, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("type de l'objet concerné"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # An integer, like every primary key of the project, so that a GenericRelation can join on it.
    object_id = models.PositiveBigIntegerField(
        _("identifiant de l'objet concerné"), null=True, blank=True
    )
    objet = GenericForeignKey("content_type", "object_id")
    statut = models.CharField(
        _("statut"),
        max_length=20,
        choices=StatutCourriel.choices,
        default=StatutCourriel.EN_ATTENTE,
    )
    tentatives = models.PositiveSmallIntegerField(_("tentatives d'envoi"), default=0)
    derniere_erreur = models.TextField(_("dernière erreur"), blank=True)
    prochain_essai = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)
    envoye_le = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    message_id = models.CharField(
        _("identifiant du message (Message-ID)"), max_length=255, blank=True
    )

    objects = CentreManager(CourrielQuerySet)

    class Meta:
        verbose_name = _("courriel")
        verbose_name_plural = _("courriels")
        ordering = ["-cree_le", "-pk"]
        indexes = [
            models.Index(fields=["centre", "-cree_le"], name="courriel_centre_cree_idx"),
            # The staff list filtered by status, and its counts per status.
            models.Index(
                fields=["centre", "statut", "-cree_le"], name="courriel_centre_statut_idx"
            ),
            models.Index(fields=["statut", "modifie_le"], name="courriel_statut_modifie_idx"),
            models.Index(fields=["content_type", "object_id"], name="courriel_objet_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(statut__in=StatutCourriel.values), name="courriel_statut_valide"
            )
        ]

    def __str__(self):
        return f"{self.destinataire} — {self.sujet}"

    @property
    def est_relancable(self):
        return self.statut in (StatutCourriel.ECHEC, StatutCourriel.ANNULE)


class PieceJointe(models.Model):
    courriel = models.ForeignKey(
        Courriel,
        verbose_name=_("courriel"),
        on_delete=models.CASCADE,
        related_name="pieces_jointes",
    )
    nom = models.CharField(_("nom du fichier"), max_length=255)
    type_mime = models.CharField(_("type MIME"), max_length=100)
    contenu = models.BinaryField(_("contenu"))

    objects = CentreManager(models.QuerySet, centre="courriel__centre")

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["pk"]

    def __str__(self):
        return self.nom


class AdresseEnEchecQuerySet(models.QuerySet):
    def contient(self, email):
        return self.filter(email__iexact=email).exists()

    def parmi(self, emails):
        """``{email in lower case: row}`` for those of ``emails`` on the list, in one query
        (case does not matter, as in ``contient``)."""
        minuscules = {email.lower() for email in emails}
        lignes = self.annotate(email_minuscule=Lower("email")).filter(
            email_minuscule__in=minuscules
        )
        return {ligne.email_minuscule: ligne for ligne in lignes}


class AdresseEnEchec(models.Model):
    """An address that a server refused for good: nothing more is sent to it until removed.

    Sending again to a dead mailbox hurts the sender's reputation for every centre; staff see
    the cancelled emails and an administrator removes the address once it is corrected.
    """

    email = models.EmailField(_("adresse électronique"), unique=True)
    raison = models.TextField(_("raison"), blank=True)
    cree_le = models.DateTimeField(_("ajoutée le"), auto_now_add=True)

    objects = AdresseEnEchecQuerySet.as_manager()

    class Meta:
        verbose_name = _("adresse en échec")
        verbose_name_plural = _("adresses en échec")
        ordering = ["email"]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()
