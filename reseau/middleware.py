from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect
from django_scopes import scope, scopes_disabled

from reseau.access import ROLE_RANK
from reseau.enums import Role
from reseau.models import Membre

SESSION_KEY = "centre_courant"


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, but an htmx request without a session (a progress bar polling its fragment
    after the session expired) gets an ``HX-Redirect`` to the login page: htmx then loads it
    as a whole page, instead of following a plain redirect itself and swapping the login page
    into the bar. After login, the person comes back to the page that polled.

    ``request.htmx`` is there: HtmxMiddleware sets it on the way in, before any view
    middleware runs.
    """

    def handle_no_permission(self, request, view_func):
        if not request.htmx:
            return super().handle_no_permission(request, view_func)
        page = request.htmx.current_url_abs_path or request.get_full_path()
        connexion = redirect_to_login(
            page,
            resolve_url(self.get_login_url(view_func)),
            self.get_redirect_field_name(view_func),
        )
        return HttpResponseClientRedirect(connexion.url)


class CurrentCentreMiddleware:
    """Puts the user's membres, the current membre and centre on the request, and opens
    the current centre's scope around the rest of the request (see ``reseau.models.CentreManager``).

    The current centre is the one chosen in the header switcher (kept in the session), or else
    the one where the user holds the widest role. One query, whatever the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membres = []
        request.membre = None
        request.centre = None
        if request.user.is_authenticated:
            # The user's own membres decide which centre's scope opens, so they are read
            # across centres; nothing else of the request is.
            with scopes_disabled():
                membres = list(
                    Membre.objects.filter(user=request.user)
                    .select_related("centre")
                    .order_by("centre__nom")
                )
            wanted = request.session.get(SESSION_KEY)
            current = next((m for m in membres if m.centre_id == wanted), None)
            if current is None and membres:
                # Until they choose, people work where they hold the widest role: a director
                # who also helps at a neighbouring centre lands in her own.
                current = min(membres, key=lambda m: -ROLE_RANK[Role(m.role)])
            request.membres = membres
            request.membre = current
            request.centre = current.centre if current else None
        # Everything after this middleware (views, templates, later middleware) reads tenant
        # rows of the current centre only; without one (anonymous visitors, coordinators, the
        # partners' pages until their token opens its object's scope), of none.
        with scope(centre=request.centre):
            return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Pages shown to a logged-in user hold the centre's data: no browser or proxy may keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
