"""The models of the app, one module per part: the directory and its fiches (``annuaire``),
the partnerships themselves and their orientation protocols (``liens``), the requests the
centre receives (``sollicitations``), projects and their reviews (``projets``), funding
agreements (``conventions``), what the alerts digest has sent (``alertes``)."""

from partenariats.models.alertes import *  # noqa: F403
from partenariats.models.annuaire import *  # noqa: F403
from partenariats.models.conventions import *  # noqa: F403
from partenariats.models.liens import *  # noqa: F403
from partenariats.models.projets import *  # noqa: F403
from partenariats.models.sollicitations import *  # noqa: F403
