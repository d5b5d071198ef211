"""The app's URLs, one namespace ("partenariats"): the directory under /partenaires/, and the
partnerships, projects, funding agreements and requests received, each from its own module."""

from django.urls import include, path

from partenariats import (
    urls_cartes,
    urls_conventions,
    urls_liens,
    urls_projets,
    urls_sollicitations,
    views,
    views_demandes,
    views_echanges,
    views_livret,
)

app_name = "partenariats"

annuaire = [
    path("", views.PartenaireListView.as_view(), name="liste"),
    path("nouveau/", views.PartenaireCreateView.as_view(), name="creer"),
    path("<int:pk>/", views.PartenaireDetailView.as_view(), name="detail"),
    path("<int:pk>/modifier/", views.PartenaireUpdateView.as_view(), name="modifier"),
    path("<int:pk>/archiver/", views.PartenaireArchiveView.as_view(), name="archiver"),
    path("<int:pk>/contacts/nouveau/", views.ContactCreateView.as_view(), name="contact_creer"),
    path("contacts/<int:pk>/modifier/", views.ContactUpdateView.as_view(), name="contact_modifier"),
    path(
        "contacts/<int:pk>/supprimer/", views.ContactDeleteView.as_view(), name="contact_supprimer"
    ),
    path("contacts/proposes/", views.ContactsProposesView.as_view(), name="contacts_proposes"),
    path("contacts/<int:pk>/garder/", views.ContactGarderView.as_view(), name="contact_garder"),
    path("export/", views_echanges.ExportView.as_view(), name="export"),
    path("import/", views_echanges.ImportView.as_view(), name="import"),
    path("import/confirmer/", views_echanges.ImportConfirmView.as_view(), name="import_confirmer"),
    path("import/modele/", views_echanges.ImportModeleView.as_view(), name="import_modele"),
    path("demandes/", views_demandes.DemandeListView.as_view(), name="demandes"),
    path("demandes/<int:pk>/", views_demandes.DemandeDetailView.as_view(), name="demande_detail"),
    path(
        "<int:pk>/demande-mise-a-jour/",
        views_demandes.DemandeCreerView.as_view(),
        name="demande_creer",
    ),
    path("demandes/envoi-groupe/", views_demandes.LotCreerView.as_view(), name="lot_creer"),
    path("demandes/envois/<int:pk>/", views_demandes.LotDetailView.as_view(), name="lot_detail"),
    path(
        "demandes/envois/<int:pk>/progression/",
        views_demandes.LotProgressionView.as_view(),
        name="lot_progression",
    ),
    path("fiche/<str:jeton>/", views_demandes.FichePubliqueView.as_view(), name="fiche_publique"),
    path(
        "fiche/<str:jeton>/nouveau-lien/",
        views_demandes.FicheNouveauLienView.as_view(),
        name="fiche_nouveau_lien",
    ),
    path("livret/", views_livret.LivretListeView.as_view(), name="livrets"),
    path("livret/<int:pk>/", views_livret.LivretDetailView.as_view(), name="livret_detail"),
    path(
        "livret/<int:pk>/telecharger/",
        views_livret.LivretTelechargerView.as_view(),
        name="livret_telecharger",
    ),
]

urlpatterns = [
    path("partenaires/", include(annuaire)),
    path("partenariats/", include(urls_liens.urlpatterns)),
    path("partenariats/", include(urls_cartes.urlpatterns)),
    path("projets/", include(urls_projets.urlpatterns)),
    path("conventions/", include(urls_conventions.urlpatterns)),
    path("demandes-recues/", include(urls_sollicitations.urlpatterns)),
]
