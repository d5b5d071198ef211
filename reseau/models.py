import functools
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopeError, get_scope, scope, scopes_disabled
from simple_history.manager import HistoryManager

from reseau.enums import AuditAction, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account: staff of a centre or federation coordinator.

    The email address is the login: staff know it, and invitations and password resets go there.
    """

    username = None
    email = models.EmailField(_("adresse électronique"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.email.lower()


class Federation(models.Model):
    nom = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)
    departement = models.CharField(_("département"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("fédération")
        verbose_name_plural = _("fédérations")
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class CentreQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(membres__user=user).distinct()


class Centre(models.Model):
    """A centre social: the tenant. Every domain row belongs to exactly one centre."""

    nom = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)
    federation = models.ForeignKey(
        Federation,
        verbose_name=_("fédération"),
        on_delete=models.PROTECT,
        related_name="centres",
        null=True,
        blank=True,
    )
    adresse = models.CharField(_("adresse"), max_length=255, blank=True)
    code_postal = models.CharField(_("code postal"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    email = models.EmailField(
        _("adresse électronique"),
        blank=True,
        help_text=_("Les partenaires y répondent aux courriels envoyés par le centre."),
    )
    projet_social_debut = models.DateField(
        _("projet social : début de validité"), null=True, blank=True
    )
    projet_social_fin = models.DateField(
        _("projet social : fin de validité"), null=True, blank=True
    )

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("centre social")
        verbose_name_plural = _("centres sociaux")
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(projet_social_fin__isnull=True)
                | models.Q(projet_social_debut__isnull=True)
                | models.Q(projet_social_fin__gte=models.F("projet_social_debut")),
                name="centre_projet_social_dates_ordonnees",
                violation_error_message=_(
                    "La fin de validité du projet social doit suivre son début."
                ),
            )
        ]

    def __str__(self):
        return self.nom

    @property
    def jours_avant_fin_projet_social(self):
        if not self.projet_social_fin:
            return None
        return (self.projet_social_fin - timezone.localdate()).days


class CentreScopedQuerySet(models.QuerySet):
    """Reads of tenant data. Inside a scope (see ``CentreManager``) rows are already limited to
    the scope's centre; ``for_centre`` says so again where a view names its centre, following
    the manager's lookup to it (``"projet__centre"`` for a bilan), so that rows linked to their
    centre through another row need no queryset of their own."""

    def for_centre(self, centre):
        if centre is None:
            return self.none()
        lien = getattr(self.model._default_manager, "lien_centre", "centre")
        return self.filter(**{lien: centre})


class _HorsScope:
    """Mixed into a queryset made outside any scope: it can be built and chained (a ModelForm
    builds its choice fields when its module is imported), never read, even later inside a
    scope, since it carries no centre filter."""

    def _refuser(self, *args, **kwargs):
        raise ScopeError(
            f"{self.model.__name__} belongs to a centre: read it inside "
            "django_scopes.scope(centre=…) or, for code that works across centres, "
            "django_scopes.scopes_disabled()."
        )

    _fetch_all = count = exists = contains = aggregate = iterator = explain = raw = _refuser
    update = _update = delete = _raw_delete = resolve_expression = _refuser


@functools.cache
def _hors_scope(queryset_class):
    return type(f"{queryset_class.__name__}HorsScope", (_HorsScope, queryset_class), {})


def _dans_le_scope(queryset, lien_centre):
    etat = get_scope()
    if not etat.get("_enabled", True):
        return queryset
    if "centre" not in etat:
        queryset.__class__ = _hors_scope(queryset.__class__)
        return queryset
    centre = etat["centre"]
    if centre is None or isinstance(centre, list | tuple):
        return queryset.filter(**{f"{lien_centre}__in": centre or []})
    return queryset.filter(**{lien_centre: centre})


class _CentreManager(models.Manager):
    lien_centre = "centre"

    def get_queryset(self):
        return _dans_le_scope(super().get_queryset(), self.lien_centre)


def CentreManager(queryset_class=CentreScopedQuerySet, *, centre="centre"):  # noqa: N802
    """The default manager of a model that belongs to a centre (``centre``: the lookup from the
    model to its centre, e.g. ``"cafe__centre"``).

    Reading it needs an explicit scope (django-scopes' state, as pretix does):
    ``with scope(centre=c):`` limits every query to centre ``c`` (a list: to those centres;
    ``None`` or ``[]``: to none). The request's scope is opened by ``CurrentCentreMiddleware``;
    tasks open their own. ``with scopes_disabled():`` reads across centres, for code that must:
    the outbox's sender, periodic jobs, the admin, the demo, the bench. Outside both, reading
    raises ``ScopeError``, so a forgotten filter in a future view, task or export cannot leak
    another centre's rows. Creating rows needs no scope.

    django-scopes' own ``ScopedManager`` refuses at the first chained call; this one refuses at
    evaluation, so that ModelForms and querysets of our own classes can still be declared.
    """

    class Manager(_CentreManager.from_queryset(queryset_class)):
        lien_centre = centre

    return Manager()


def centre_id_de(objet):
    """The id of the centre ``objet`` (a row of a model with a ``CentreManager``, or None)
    belongs to, following the manager's lookup: ``invitation.cafe.centre_id``."""
    if objet is None:
        return None
    *chemin, dernier = type(objet)._default_manager.lien_centre.split("__")
    for relation in chemin:
        objet = getattr(objet, relation)
    return getattr(objet, f"{dernier}_id")


@contextmanager
def scope_de(modele, pk):
    """Opens the scope of the centre row ``pk`` of ``modele`` belongs to (of none if it is
    gone): a task is given an id, not a centre."""
    with scopes_disabled():
        centre_id = (
            modele.objects.filter(pk=pk).values_list(modele.objects.lien_centre, flat=True).first()
        )
    with scope(centre=centre_id):
        yield


def historique_manager(*, centre="centre"):
    """The manager class for ``HistoricalRecords(history_manager=…)`` of a model that belongs to
    a centre: its history (``Partenaire.history``, ``partenaire.history``) is scoped like the
    model itself (see ``CentreManager``)."""

    class Manager(HistoryManager):
        lien_centre = centre

        def get_queryset(self):
            return _dans_le_scope(super().get_queryset(), self.lien_centre)

    return Manager


class CentreScopedModel(models.Model):
    centre = models.ForeignKey(Centre, verbose_name=_("centre"), on_delete=models.CASCADE)

    objects = CentreManager()

    class Meta:
        abstract = True


class MembreQuerySet(CentreScopedQuerySet):
    def admins(self):
        return self.filter(role=Role.ADMIN)


class Membre(CentreScopedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="membres",
    )
    centre = models.ForeignKey(
        Centre, verbose_name=_("centre"), on_delete=models.CASCADE, related_name="membres"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.SALARIE)
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = CentreManager(MembreQuerySet)

    class Meta:
        verbose_name = _("membre d'un centre")
        verbose_name_plural = _("membres des centres")
        ordering = ["user__last_name", "user__first_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "centre"], name="membership_unique_user_centre")
        ]

    def __str__(self):
        return f"{self.user} — {self.centre} ({self.get_role_display()})"

    @property
    def peut_modifier(self):
        return Role(self.role).peut_modifier

    @property
    def est_admin(self):
        return self.role == Role.ADMIN


class Coordination(models.Model):
    """A federation coordinator: reads aggregated figures of the federation's centres only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="coordinations",
    )
    federation = models.ForeignKey(
        Federation,
        verbose_name=_("fédération"),
        on_delete=models.CASCADE,
        related_name="coordinations",
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("coordination de fédération")
        verbose_name_plural = _("coordinations de fédération")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "federation"], name="coordination_unique_user_federation"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.federation}"


class EntreeJournal(models.Model):
    """Who did what to which object, in which centre. Never personal data: ids only."""

    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    centre = models.ForeignKey(
        Centre,
        verbose_name=_("centre"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=50, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("type d'objet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64, blank=True)
    cree_le = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    objects = CentreManager(models.QuerySet)

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.cree_le:%Y-%m-%d %H:%M} {self.get_action_display()}"


class DemandeReinitialisation(models.Model):
    """A password reset request that no task has handled yet.

    The request writes one for every address typed, with an account or not (the same single
    insert, so that the answer's timing says nothing), then queues its task; the task, or the
    sweeper if the broker lost it, consumes it (``reseau.services.reinitialisation_traiter``).
    The address is kept as typed because the worker looks the accounts up by it; the row is
    deleted once handled, and dropped unhandled after a day.
    """

    email = models.EmailField(_("adresse électronique"))
    cree_le = models.DateTimeField(_("demandée le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("demande de réinitialisation de mot de passe")
        verbose_name_plural = _("demandes de réinitialisation de mot de passe")

    def __str__(self):
        return self.email
