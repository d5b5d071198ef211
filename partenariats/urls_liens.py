"""Partnerships and orientation protocols, under /partenariats/.
Included by ``partenariats.urls``."""

from django.urls import path

from partenariats import views_liens

urlpatterns = [
    path("", views_liens.PartenariatListView.as_view(), name="partenariat_liste"),
    path("nouveau/", views_liens.PartenariatCreateView.as_view(), name="partenariat_creer"),
    path("<int:pk>/", views_liens.PartenariatDetailView.as_view(), name="partenariat_detail"),
    path(
        "<int:pk>/modifier/",
        views_liens.PartenariatUpdateView.as_view(),
        name="partenariat_modifier",
    ),
    path(
        "<int:pk>/supprimer/",
        views_liens.PartenariatDeleteView.as_view(),
        name="partenariat_supprimer",
    ),
    path(
        "<int:pk>/protocole/",
        views_liens.ProtocoleModifierView.as_view(),
        name="protocole_modifier",
    ),
    path(
        "protocoles/<int:pk>/document/",
        views_liens.ProtocoleDocumentView.as_view(),
        name="protocole_document",
    ),
]
