"""The frise des partenariats and the carte du maillage, under /partenariats/.
Included by ``partenariats.urls``."""

urlpatterns = []
