"""The frise des partenariats and the carte du maillage, under /partenariats/.
Included by ``partenariats.urls``."""

from django.urls import path

from partenariats import views_cartes

urlpatterns = [
    path("frise/", views_cartes.FriseView.as_view(), name="frise"),
    path("frise/pdf/", views_cartes.FrisePdfView.as_view(), name="frise_pdf"),
    path("projets/<int:pk>/frise/", views_cartes.FriseProjetView.as_view(), name="frise_projet"),
    path(
        "projets/<int:pk>/frise/pdf/",
        views_cartes.FriseProjetPdfView.as_view(),
        name="frise_projet_pdf",
    ),
    path("carte/", views_cartes.CarteView.as_view(), name="carte"),
    path("carte/pdf/", views_cartes.CartePdfView.as_view(), name="carte_pdf"),
]
