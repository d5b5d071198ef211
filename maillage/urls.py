"""URL map. Reserved prefixes for the apps still to come: /orientations/, /instances/,
/tableaux/. The partenariats app answers under /partenaires/, /partenariats/, /projets/,
/conventions/ and /demandes-recues/ (see ``partenariats.urls``).

Every view needs a login (LoginRequiredMiddleware) except those decorated with
``login_not_required``; tests/test_access.py lists them and fails when one is added unnoticed.
"""

from django.contrib import admin
from django.urls import include, path

from reseau import views as reseau_views

urlpatterns = [
    path("", reseau_views.AccueilView.as_view(), name="accueil"),
    path("compte/", include("reseau.urls_compte")),
    path("centre/", include("reseau.urls")),
    path("", include("partenariats.urls")),
    path("cafes/", include("cafes.urls")),
    path("courriels/", include("courrier.urls")),
    path(
        "donnees-personnelles/",
        reseau_views.DonneesPersonnellesView.as_view(),
        name="donnees_personnelles",
    ),
    path("admin/", admin.site.urls),
]
