"""PDF documents (booklet, sign-in sheet, minutes) from Django templates, with WeasyPrint.

A template refers to its stylesheet and fonts relative to its base URL (``css/livret.css``)
or under ``{{ ressources }}``; ``FetcherStatique`` serves them from our static files and
refuses everything else (file://, http(s)://, data:...), so no text of a partner or a member
can make the renderer read a local file or call a remote server. Text is HTML-escaped by the
template engine, as on every page.
"""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Documents refer to their stylesheets and fonts under this origin (a reserved domain that
# never resolves, RFC 2606); the fetcher maps it to our static files and nothing else.
ORIGINE_RESSOURCES = "https://pdf.invalid/static/"


class RessourceRefusee(ValueError):
    """A document asked for a resource that is not one of our static files."""


class FetcherStatique(URLFetcher):
    """Serves a document's stylesheets and fonts from our static files; refuses anything else.

    Only ``ORIGINE_RESSOURCES`` + a relative path is served, read through the staticfiles
    finders (the same files in development and production, whatever the storage). Every other
    URL raises ``RessourceRefusee``, which WeasyPrint logs before leaving the resource out.
    """

    def fetch(self, url, headers=None):
        if not url.startswith(ORIGINE_RESSOURCES):
            logger.warning("PDF: refused to fetch %.200s", url)
            raise RessourceRefusee(f"Only our own static files are served: {url:.200}")
        chemin = unquote(urlsplit(url).path.removeprefix(urlsplit(ORIGINE_RESSOURCES).path))
        fichier = _fichier_statique(chemin)
        if fichier is None:
            logger.warning("PDF: no static file %.200s", chemin)
            raise RessourceRefusee(f"No such static file: {chemin:.200}")
        type_mime = mimetypes.guess_type(fichier.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, fichier.read_bytes(), {"Content-Type": type_mime})


def _fichier_statique(chemin):
    if not chemin or chemin.startswith("/") or ".." in Path(chemin).parts:
        return None
    try:
        trouve = finders.find(chemin)
    except (SuspiciousFileOperation, ValueError, OSError):  # a path we do not serve
        return None
    return Path(trouve) if trouve else None


def pdf_rendre(gabarit, contexte, *, apres_mise_en_page=None):
    """The template ``gabarit`` rendered with ``contexte`` (plus ``ressources``, the origin of
    our static files) as PDF bytes, every resource fetched through ``FetcherStatique``.

    Layout is the long step; ``apres_mise_en_page``, if given, is called with the laid-out
    ``weasyprint.Document`` before the PDF is written (its page count, a progress step).
    """
    html = render_to_string(gabarit, {**contexte, "ressources": ORIGINE_RESSOURCES})
    document = weasyprint.HTML(
        string=html, base_url=ORIGINE_RESSOURCES, url_fetcher=FetcherStatique()
    ).render(font_config=FontConfiguration())
    if apres_mise_en_page is not None:
        apres_mise_en_page(document)
    return document.write_pdf()
