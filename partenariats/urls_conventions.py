"""Funding agreements, under /conventions/.
Included by ``partenariats.urls``."""

urlpatterns = []
