"""PDF documents (booklet, sign-in sheet, minutes, a project's bilan) from Django templates,
with WeasyPrint.

A template refers to its stylesheet and fonts relative to its base URL (``css/livret.css``)
or under ``{{ ressources }}``; ``FetcherStatique`` serves them from our static files and
refuses everything else (file://, http(s)://, data:...), so no text of a partner or a member
can make the renderer read a local file or call a remote server. Text is HTML-escaped by the
template engine, as on every page.

A document that shows stored photos (a bilan's) names them to ``pdf_rendre`` one by one
(``fichiers``); the template finds each under ``{{ origine_fichiers }}<name>``, and the
fetcher serves those files, if they are JPEG or PNG by their content, and no other.
"""

import logging
import mimetypes
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from commun.fichiers import TYPES_MIME, nature

logger = logging.getLogger(__name__)

# Documents refer to their stylesheets and fonts under this origin (a reserved domain that
# never resolves, RFC 2606); the fetcher maps it to our static files and nothing else.
ORIGINE_RESSOURCES = "https://pdf.invalid/static/"
# The stored files a document was given to embed, each under the name its caller chose.
ORIGINE_FICHIERS = "https://pdf.invalid/fichiers/"
# Phone photos are often 12 megapixels: 150 dpi prints well and keeps a bilan small enough to
# send by email.
DPI_IMAGES = 150
IMAGES = ("jpeg", "png")


class RessourceRefusee(ValueError):
    """A document asked for a resource that is not one of our static files."""


class FetcherStatique(URLFetcher):
    """Serves a document's stylesheets and fonts from our static files, and the images it was
    given (``fichiers``); refuses anything else.

    Only ``ORIGINE_RESSOURCES`` + a relative path is served, read through the staticfiles
    finders (the same files in development and production, whatever the storage), and
    ``ORIGINE_FICHIERS`` + one of the names of ``fichiers`` ({name: a stored FieldFile}), if
    that file is a JPEG or PNG image by its content. Every other URL raises
    ``RessourceRefusee``, which WeasyPrint logs before leaving the resource out.
    """

    def __init__(self, *args, fichiers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fichiers = dict(fichiers or {})

    def fetch(self, url, headers=None):
        if url.startswith(ORIGINE_FICHIERS):
            return self._fichier(url)
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

    def _fichier(self, url):
        champ = self.fichiers.get(url.removeprefix(ORIGINE_FICHIERS))
        if not champ:
            logger.warning("PDF: refused to fetch %.200s", url)
            raise RessourceRefusee(f"Not a file given to this document: {url:.200}")
        # A fresh handle from the storage: the FieldFile itself stays as the caller left it.
        with champ.storage.open(champ.name, "rb") as fichier:
            contenu = fichier.read()
        trouvee = nature(BytesIO(contenu))
        if trouvee not in IMAGES:
            logger.warning("PDF: not an image %.200s", url)
            raise RessourceRefusee(f"Only JPEG and PNG images are embedded: {url:.200}")
        return URLFetcherResponse(url, contenu, {"Content-Type": TYPES_MIME[trouvee]})


def _fichier_statique(chemin):
    if not chemin or chemin.startswith("/") or ".." in Path(chemin).parts:
        return None
    try:
        trouve = finders.find(chemin)
    except (SuspiciousFileOperation, ValueError, OSError):  # a path we do not serve
        return None
    return Path(trouve) if trouve else None


def pdf_rendre(gabarit, contexte, *, apres_mise_en_page=None, fichiers=None):
    """The template ``gabarit`` rendered with ``contexte`` (plus ``ressources``, the origin of
    our static files, and ``origine_fichiers``, that of ``fichiers``) as PDF bytes, every
    resource fetched through ``FetcherStatique``.

    ``fichiers``: {name: FieldFile} of the stored images the document may embed (the caller
    has checked they belong with it), each at ``{{ origine_fichiers }}<name>``; images are
    scaled down to ``DPI_IMAGES``.

    Layout is the long step; ``apres_mise_en_page``, if given, is called with the laid-out
    ``weasyprint.Document`` before the PDF is written (its page count, a progress step).
    """
    html = render_to_string(
        gabarit,
        {**contexte, "ressources": ORIGINE_RESSOURCES, "origine_fichiers": ORIGINE_FICHIERS},
    )
    document = weasyprint.HTML(
        string=html, base_url=ORIGINE_RESSOURCES, url_fetcher=FetcherStatique(fichiers=fichiers)
    ).render(font_config=FontConfiguration(), dpi=DPI_IMAGES)
    if apres_mise_en_page is not None:
        apres_mise_en_page(document)
    return document.write_pdf()
