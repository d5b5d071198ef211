from django.urls import path  # noqa: F401

app_name = "cafes"

# Views are added by the café screens (issue 4); the navigation links here once it is whole.
urlpatterns = []
