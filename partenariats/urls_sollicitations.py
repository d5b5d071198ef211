"""Requests received, under /demandes-recues/.
Included by ``partenariats.urls``."""

urlpatterns = []
