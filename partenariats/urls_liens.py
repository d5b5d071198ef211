"""Partnerships and orientation protocols, under /partenariats/.
Included by ``partenariats.urls``."""

urlpatterns = []
