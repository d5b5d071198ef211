from django.urls import path
from django.views.generic import RedirectView

from cafes import views, views_compte_rendu, views_invitations, views_jour, views_publiques

app_name = "cafes"

urlpatterns = [
    path("", views.SerieListView.as_view(), name="series"),
    path("series/nouvelle/", views.SerieCreateView.as_view(), name="serie_creer"),
    path("series/<int:pk>/", views.SerieDetailView.as_view(), name="serie_detail"),
    path("series/<int:pk>/modifier/", views.SerieUpdateView.as_view(), name="serie_modifier"),
    path("series/<int:pk>/hotes/", views.HoteAjouterView.as_view(), name="hote_ajouter"),
    path(
        "series/<int:pk>/hotes/retirer/",
        views.HoteActionView.as_view(action="retirer"),
        name="hote_retirer",
    ),
    path(
        "series/<int:pk>/hotes/monter/",
        views.HoteActionView.as_view(action="monter"),
        name="hote_monter",
    ),
    path(
        "series/<int:pk>/hotes/descendre/",
        views.HoteActionView.as_view(action="descendre"),
        name="hote_descendre",
    ),
    path("series/<int:pk>/programmer/", views.ProgrammerView.as_view(), name="programmer"),
    path("series/<int:pk>/cafes/nouveau/", views.CafeCreateView.as_view(), name="cafe_creer"),
    path("<int:pk>/", views.CafeDetailView.as_view(), name="cafe_detail"),
    path("<int:pk>/modifier/", views.CafeUpdateView.as_view(), name="cafe_modifier"),
    path("<int:pk>/annuler/", views.CafeAnnulerView.as_view(), name="cafe_annuler"),
    path("<int:pk>/maintenir/", views.CafeMaintenirView.as_view(), name="cafe_maintenir"),
    path(
        "<int:pk>/organisations/ajouter/",
        views.CafeCercleView.as_view(action="ajouter"),
        name="cafe_organisation_ajouter",
    ),
    path(
        "<int:pk>/organisations/retirer/",
        views.CafeCercleView.as_view(action="retirer"),
        name="cafe_organisation_retirer",
    ),
    path(
        "<int:pk>/invitations/envoyer/",
        views_invitations.InvitationsEnvoyerView.as_view(),
        name="invitations_envoyer",
    ),
    path(
        "<int:pk>/invitations/progression/",
        views_invitations.InvitationsProgressionView.as_view(),
        name="invitations_progression",
    ),
    path("<int:pk>/emargement.pdf", views_jour.EmargementView.as_view(), name="emargement"),
    path("<int:pk>/pointage/", views_jour.PointageView.as_view(), name="pointage"),
    # The check-in screen's first address: a tablet may have it bookmarked.
    path(
        "<int:pk>/accueil/",
        RedirectView.as_view(pattern_name="cafes:pointage", permanent=True),
    ),
    path("<int:pk>/presence/", views_jour.PresenceView.as_view(), name="presence"),
    path(
        "<int:pk>/tour-de-table/",
        views_compte_rendu.TourDeTableView.as_view(),
        name="tour_de_table",
    ),
    path(
        "<int:pk>/compte-rendu/",
        views_compte_rendu.CompteRenduView.as_view(),
        name="compte_rendu",
    ),
    path(
        "<int:pk>/compte-rendu/assembler/",
        views_compte_rendu.CompteRenduAssemblerView.as_view(),
        name="compte_rendu_assembler",
    ),
    path(
        "<int:pk>/compte-rendu/envoyer/",
        views_compte_rendu.CompteRenduEnvoyerView.as_view(),
        name="compte_rendu_envoyer",
    ),
    path(
        "<int:pk>/compte-rendu/pdf/",
        views_compte_rendu.CompteRenduPdfView.as_view(),
        name="compte_rendu_pdf",
    ),
    # The partner's pages, reached from café emails without an account.
    path("reponse/<str:jeton>/", views_publiques.RsvpView.as_view(), name="rsvp"),
    path(
        "reponse/<str:jeton>/nouveau-lien/",
        views_publiques.RsvpNouveauLienView.as_view(),
        name="rsvp_nouveau_lien",
    ),
    path(
        "desinscription/<str:jeton>/",
        views_publiques.DesinscriptionView.as_view(),
        name="desinscription",
    ),
]
