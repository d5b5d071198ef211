from django.urls import path

from courrier import views

app_name = "courrier"

urlpatterns = [
    path("", views.CourrielListeView.as_view(), name="liste"),
    path("<int:pk>/", views.CourrielDetailView.as_view(), name="detail"),
    path("<int:pk>/apercu/", views.CourrielApercuView.as_view(), name="apercu"),
    path("<int:pk>/renvoyer/", views.CourrielRelancerView.as_view(), name="relancer"),
]
