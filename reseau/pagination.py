"""Pagination for pages that show several paginated lists, each with its own URL parameter."""

from django.core.paginator import Paginator


def page_de(request, objets, *, par_page, param="page", ancre=""):
    """The page of ``objets`` named by the ``param`` parameter of the URL: a missing, wrong or
    out-of-range number gives the first or last page, never an error. The page carries
    ``url_precedente`` and ``url_suivante`` (empty at the ends), which keep the URL's other
    parameters and lead back to the list's section (``ancre``, an element id), for
    ``includes/pagination.html``."""
    page = Paginator(objets, par_page).get_page(request.GET.get(param))

    def url(numero):
        params = request.GET.copy()
        params[param] = numero
        return f"?{params.urlencode()}" + (f"#{ancre}" if ancre else "")

    page.url_precedente = url(page.previous_page_number()) if page.has_previous() else ""
    page.url_suivante = url(page.next_page_number()) if page.has_next() else ""
    return page
