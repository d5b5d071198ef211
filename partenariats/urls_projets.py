"""Projects and actions, their partners (RACI), bilans, under /projets/.
Included by ``partenariats.urls``."""

urlpatterns = []
