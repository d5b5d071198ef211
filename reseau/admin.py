from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from reseau.models import Centre, Coordination, EntreeJournal, Federation, Membre, User


class MembreInline(admin.TabularInline):
    model = Membre
    extra = 0
    autocomplete_fields = ["user"]


class CoordinationInline(admin.TabularInline):
    model = Coordination
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "membres__centre"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name"]}),
        (
            _("Droits"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


@admin.register(Federation)
class FederationAdmin(admin.ModelAdmin):
    list_display = ["nom", "departement"]
    search_fields = ["nom", "departement"]
    prepopulated_fields = {"slug": ["nom"]}
    inlines = [CoordinationInline]


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["nom", "commune", "federation", "projet_social_fin"]
    list_filter = ["federation"]
    search_fields = ["nom", "commune"]
    prepopulated_fields = {"slug": ["nom"]}
    inlines = [MembreInline]


@admin.register(Membre)
class MembreAdmin(admin.ModelAdmin):
    list_display = ["user", "centre", "role", "cree_le"]
    list_filter = ["role", "centre"]
    search_fields = ["user__email", "user__last_name", "centre__nom"]
    autocomplete_fields = ["user", "centre"]
    list_select_related = ["user", "centre"]


@admin.register(Coordination)
class CoordinationAdmin(admin.ModelAdmin):
    list_display = ["user", "federation", "cree_le"]
    list_filter = ["federation"]
    search_fields = ["user__email", "federation__nom"]
    autocomplete_fields = ["user", "federation"]
    list_select_related = ["user", "federation"]


@admin.register(EntreeJournal)
class EntreeJournalAdmin(admin.ModelAdmin):
    """Read-only: an audit log that can be edited proves nothing."""

    list_display = ["cree_le", "action", "par", "centre", "content_type", "object_id"]
    list_filter = ["action", "centre", "content_type"]
    search_fields = ["par__email", "object_id"]
    date_hierarchy = "cree_le"
    list_select_related = ["par", "centre", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
