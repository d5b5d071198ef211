"""Tenancy and roles for views: every tenant view goes through CentreMixin.

The current centre comes from ``request.centre`` (set by CurrentCentreMiddleware). An object of
another centre is a 404, never a 403, so that no one learns it exists.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_scopes import scope

from reseau.enums import Role
from reseau.models import centre_id_de

ROLE_RANK = {Role.LECTURE: 0, Role.SALARIE: 1, Role.ADMIN: 2}


def role_allows(role, minimum):
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]


class CentreMixin:
    """Requires a current centre and at least ``min_role`` in it; scopes ``get_queryset``.

    Models used with it have a ``CentreScopedQuerySet`` manager, so the queryset of a detail,
    update or delete view can only ever hold rows of the current centre.
    """

    min_role = Role.LECTURE

    def dispatch(self, request, *args, **kwargs):
        membre = getattr(request, "membre", None)
        if membre is None:
            raise Http404
        if not role_allows(membre.role, self.min_role):
            raise PermissionDenied
        self.centre = membre.centre
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().for_centre(self.centre)


class JetonMixin:
    """A page a partner reaches from an emailed link, without an account: the signed token in
    the URL is the credential.

    Each view defines ``lire_jeton(jeton)``, which returns ``(objet, valide)``
    (``reseau.jetons.jeton_lire``). It is read once, before the view, into ``self.objet`` and
    ``self.valide``, and the view runs in the scope of the object's centre (of none for a dead
    link).
    """

    def dispatch(self, request, *args, **kwargs):
        self.objet, self.valide = self.lire_jeton(kwargs["jeton"])
        with scope(centre=centre_id_de(self.objet)):
            return super().dispatch(request, *args, **kwargs)
