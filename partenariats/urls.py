from django.urls import path

from partenariats import views

app_name = "partenaires"

urlpatterns = [
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
]
