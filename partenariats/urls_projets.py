"""Projects and actions, their partners (RACI), bilans, under /projets/.
Included by ``partenariats.urls``."""

from django.urls import path

from partenariats import views_projets as vues

urlpatterns = [
    path("", vues.ProjetListView.as_view(), name="projet_liste"),
    path("nouveau/", vues.ProjetCreateView.as_view(), name="projet_creer"),
    path("<int:pk>/", vues.ProjetDetailView.as_view(), name="projet_detail"),
    path("<int:pk>/modifier/", vues.ProjetUpdateView.as_view(), name="projet_modifier"),
    path("<int:pk>/supprimer/", vues.ProjetDeleteView.as_view(), name="projet_supprimer"),
    path("<int:pk>/raci/", vues.RaciView.as_view(), name="projet_raci"),
    path("<int:pk>/raci.pdf", vues.RaciPdfView.as_view(), name="projet_raci_pdf"),
    path(
        "<int:pk>/partenaires/ajouter/",
        vues.ParticipationCreateView.as_view(),
        name="participation_ajouter",
    ),
    path(
        "partenaires/<int:pk>/modifier/",
        vues.ParticipationUpdateView.as_view(),
        name="participation_modifier",
    ),
    path(
        "partenaires/<int:pk>/retirer/",
        vues.ParticipationDeleteView.as_view(),
        name="participation_retirer",
    ),
    path("<int:pk>/bilans/nouveau/", vues.BilanCreateView.as_view(), name="bilan_creer"),
    path("bilans/<int:pk>/", vues.BilanDetailView.as_view(), name="bilan_detail"),
    path("bilans/<int:pk>/modifier/", vues.BilanUpdateView.as_view(), name="bilan_modifier"),
    path("bilans/<int:pk>/supprimer/", vues.BilanDeleteView.as_view(), name="bilan_supprimer"),
    path("bilans/<int:pk>/bilan.pdf", vues.BilanPdfView.as_view(), name="bilan_pdf"),
    path("bilans/<int:pk>/pieces/ajouter/", vues.PieceAjouterView.as_view(), name="piece_ajouter"),
    path("pieces/<int:pk>/retirer/", vues.PieceRetirerView.as_view(), name="piece_retirer"),
    path("pieces/<int:pk>/fichier/", vues.PieceFichierView.as_view(), name="piece_fichier"),
]
