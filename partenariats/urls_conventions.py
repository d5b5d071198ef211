"""Funding agreements, under /conventions/.
Included by ``partenariats.urls``."""

from django.urls import path

from partenariats import views_conventions as vues

urlpatterns = [
    path("", vues.ConventionListView.as_view(), name="convention_liste"),
    path("nouvelle/", vues.ConventionCreateView.as_view(), name="convention_creer"),
    path("<int:pk>/", vues.ConventionDetailView.as_view(), name="convention_detail"),
    path("<int:pk>/modifier/", vues.ConventionUpdateView.as_view(), name="convention_modifier"),
    path("<int:pk>/supprimer/", vues.ConventionDeleteView.as_view(), name="convention_supprimer"),
    path("<int:pk>/document/", vues.ConventionDocumentView.as_view(), name="convention_document"),
]
