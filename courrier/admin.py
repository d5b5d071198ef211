from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models.functions import Length
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courrier.models import AdresseEnEchec, Courriel, PieceJointe
from courrier.services import courriel_relancer


class PieceJointeInline(admin.TabularInline):
    model = PieceJointe
    fields = ["nom", "type_mime", "taille"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("contenu").annotate(_taille=Length("contenu"))

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("taille"))
    def taille(self, obj):
        return filesizeformat(obj._taille)


@admin.register(Courriel)
class CourrielAdmin(admin.ModelAdmin):
    """Read-only: rows are written by the outbox services, never by hand."""

    list_display = [
        "cree_le",
        "destinataire",
        "sujet",
        "centre",
        "statut",
        "tentatives",
        "envoye_le",
    ]
    list_filter = ["statut", "centre"]
    list_select_related = ["centre"]
    search_fields = ["destinataire", "sujet"]
    date_hierarchy = "cree_le"
    inlines = [PieceJointeInline]
    actions = ["renvoyer"]
    fields = [
        "centre",
        "destinataire",
        "sujet",
        "statut",
        "tentatives",
        "derniere_erreur",
        "prochain_essai",
        "cree_le",
        "modifie_le",
        "envoye_le",
        "message_id",
        "expediteur_nom",
        "repondre_a",
        "en_tetes",
        "content_type",
        "object_id",
        "corps_texte",
        "corps_html",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # The list never shows the bodies: no need to read them for hundreds of rows.
        return super().get_queryset(request).defer("corps_texte", "corps_html")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Renvoyer les courriels sélectionnés (en échec ou annulés)"))
    def renvoyer(self, request, queryset):
        renvoyes = 0
        for courriel in queryset:
            try:
                courriel_relancer(courriel=courriel)
            except ValidationError as erreur:
                self.message_user(request, f"{courriel}: {erreur.messages[0]}", messages.WARNING)
            else:
                renvoyes += 1
        if renvoyes:
            self.message_user(
                request,
                ngettext(
                    "%(n)d courriel remis dans la file d'envoi.",
                    "%(n)d courriels remis dans la file d'envoi.",
                    renvoyes,
                )
                % {"n": renvoyes},
                messages.SUCCESS,
            )


@admin.register(AdresseEnEchec)
class AdresseEnEchecAdmin(admin.ModelAdmin):
    """Removing an address here lets staff send to it again ("Renvoyer")."""

    list_display = ["email", "raison", "cree_le"]
    search_fields = ["email"]
    readonly_fields = ["cree_le"]
