"""commun.pdf: a template rendered to PDF bytes, with our static files and nothing else."""

import copy
import logging
import subprocess
from pathlib import Path

import pytest

from commun.pdf import ORIGINE_RESSOURCES, FetcherStatique, RessourceRefusee, pdf_rendre


@pytest.fixture
def gabarit(settings):
    """tests/commun/templates/essai/document.html: a document that asks for our stylesheet and
    for resources elsewhere."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates
    return "essai/document.html"


@pytest.fixture
def demandes(monkeypatch):
    """(url, served) for every URL WeasyPrint asks the fetcher for."""
    demandes = []
    fetch = FetcherStatique.fetch

    def espion(self, url, headers=None):
        try:
            reponse = fetch(self, url, headers)
        except RessourceRefusee:
            demandes.append((url, False))
            raise
        demandes.append((url, True))
        return reponse

    monkeypatch.setattr(FetcherStatique, "fetch", espion)
    return demandes


def texte_du_pdf(contenu):
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=contenu,
        check=True,
        capture_output=True,
    ).stdout.decode()


def test_renders_a_template_with_our_files_only(gabarit, demandes, caplog):
    with caplog.at_level(logging.WARNING, logger="commun.pdf"):
        pdf = pdf_rendre(
            gabarit, {"titre": "Feuille d’essai", "texte": '<img src="file:///etc/passwd">'}
        )

    assert pdf.startswith(b"%PDF-")
    texte = texte_du_pdf(pdf)
    assert "Feuille d’essai" in texte
    # Text is text: escaped by the template engine, never fetched.
    assert '<img src="file:///etc/passwd">' in texte
    servies = {url for url, servie in demandes if servie}
    refusees = {url for url, servie in demandes if not servie}
    assert f"{ORIGINE_RESSOURCES}css/emargement.css" in servies
    assert f"{ORIGINE_RESSOURCES}css/polices-pdf.css" in servies
    assert all(url.startswith(ORIGINE_RESSOURCES) for url in servies)
    assert refusees >= {
        "https://example.com/x.css",
        "file:///etc/passwd",
        "http://example.com/x.png",
        "file:///etc/hostname",
    }
    assert "refused to fetch" in caplog.text


def test_the_laid_out_document_is_shown_before_writing(gabarit):
    pages = []
    pdf = pdf_rendre(
        gabarit,
        {"titre": "Essai", "texte": "Bonjour"},
        apres_mise_en_page=lambda document: pages.append(len(document.pages)),
    )
    assert pages == [1]
    assert pdf.startswith(b"%PDF-")


class TestFetcher:
    @pytest.mark.parametrize(
        "url",
        [
            "file:///etc/passwd",
            "http://example.com/x.png",
            "https://example.com/x.css",
            "data:text/css,body{}",
            "ftp://example.com/x",
            "https://pdf.invalid/media/livrets/autre.pdf",
            f"{ORIGINE_RESSOURCES}../../settings.py",
            f"{ORIGINE_RESSOURCES}css/%2e%2e/%2e%2e/maillage/settings.py",
            f"{ORIGINE_RESSOURCES}/etc/passwd",
            f"{ORIGINE_RESSOURCES}css/absent.css",
        ],
    )
    def test_refuses_anything_but_our_static_files(self, url, caplog):
        with caplog.at_level(logging.WARNING, logger="commun.pdf"):
            with pytest.raises(RessourceRefusee):
                FetcherStatique().fetch(url)
        assert caplog.records

    def test_serves_the_stylesheet_and_fonts(self):
        feuille = FetcherStatique().fetch(f"{ORIGINE_RESSOURCES}css/livret.css")
        police = FetcherStatique().fetch(f"{ORIGINE_RESSOURCES}fonts/SourceSans3-Regular.ttf.woff")

        assert feuille.content_type == "text/css"
        assert b"@page" in feuille.read()
        assert police.read(4) == b"wOFF"
        feuille.close()
        police.close()
