"""The admin site of Maillage: Django's, reading across centres.

The admin is for superusers, who look after every centre; its views run under django-scopes'
``scopes_disabled()`` (see ``reseau.models.CentreManager``), their templates included.
"""

import functools

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django_scopes import scopes_disabled


class SiteAdmin(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        vue = super().admin_view(view, cacheable)

        @functools.wraps(vue)
        def tous_les_centres(request, *args, **kwargs):
            with scopes_disabled():
                response = vue(request, *args, **kwargs)
                # A TemplateResponse renders after the view returns: render it in the scope.
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                return response

        return tous_les_centres


class AdminConfig(DjangoAdminConfig):
    default_site = "maillage.admin.SiteAdmin"
