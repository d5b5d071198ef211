from django.urls import path

from reseau import views

app_name = "reseau"

urlpatterns = [
    path("changer/", views.ChangerCentreView.as_view(), name="changer_centre"),
    path("membres/", views.MembresView.as_view(), name="membres"),
    path("membres/inviter/", views.InviterMembreView.as_view(), name="inviter_membre"),
    path("membres/<int:pk>/role/", views.ChangerRoleView.as_view(), name="changer_role"),
    path("membres/<int:pk>/retirer/", views.RetirerMembreView.as_view(), name="retirer_membre"),
]
