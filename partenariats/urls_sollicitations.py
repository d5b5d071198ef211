"""Requests received, under /demandes-recues/.
Included by ``partenariats.urls``."""

from django.urls import path

from partenariats import views_sollicitations as vues

urlpatterns = [
    path("", vues.SollicitationListView.as_view(), name="sollicitation_liste"),
    path("nouvelle/", vues.SollicitationCreateView.as_view(), name="sollicitation_creer"),
    path("<int:pk>/", vues.SollicitationDetailView.as_view(), name="sollicitation_detail"),
    path(
        "<int:pk>/modifier/",
        vues.SollicitationUpdateView.as_view(),
        name="sollicitation_modifier",
    ),
    path(
        "<int:pk>/decider/", vues.SollicitationDeciderView.as_view(), name="sollicitation_decider"
    ),
    path(
        "<int:pk>/accepter/",
        vues.SollicitationAccepterView.as_view(),
        name="sollicitation_accepter",
    ),
]
