"""commun.pdf: a template rendered to PDF bytes, with our static files and nothing else."""

import copy
import io
import logging
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from commun.pdf import (
    ORIGINE_FICHIERS,
    ORIGINE_RESSOURCES,
    FetcherStatique,
    RessourceRefusee,
    pdf_rendre,
)


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


def _stocke(nom, contenu):
    """A stored file as a model's FileField gives it (what the fetcher reads of it)."""
    nom = default_storage.save(nom, ContentFile(contenu))
    return SimpleNamespace(storage=default_storage, name=nom)


def _png():
    sortie = io.BytesIO()
    Image.new("RGB", (40, 30), "#7cb342").save(sortie, format="PNG")
    return sortie.getvalue()


class TestFichiersDonnes:
    """A document names the stored images it may embed; those are served, nothing else."""

    def test_serves_only_the_images_it_was_given(self):
        photo = _stocke("bilans/photo.png", _png())
        document = _stocke("bilans/programme.pdf", b"%PDF-1.4\n%%EOF\n")
        fetcher = FetcherStatique(fichiers={"a.png": photo, "b.jpg": document})

        reponse = fetcher.fetch(f"{ORIGINE_FICHIERS}a.png")
        assert reponse.read() == _png()
        assert reponse.headers["Content-Type"] == "image/png"
        for url in [
            f"{ORIGINE_FICHIERS}b.jpg",  # given, but a PDF
            f"{ORIGINE_FICHIERS}c.png",
            f"{ORIGINE_FICHIERS}../a.png",
            ORIGINE_FICHIERS,
            f"https://pdf.invalid/media/{photo.name}",
            f"{ORIGINE_RESSOURCES}../../media/{photo.name}",
        ]:
            with pytest.raises(RessourceRefusee):
                fetcher.fetch(url)
        with pytest.raises(RessourceRefusee):
            FetcherStatique().fetch(f"{ORIGINE_FICHIERS}a.png")

    def test_a_given_image_is_embedded(self, gabarit, demandes):
        photo = _stocke("bilans/photo.png", _png())
        pdf = pdf_rendre(
            gabarit,
            {"titre": "Essai", "texte": "Bonjour", "image": f"{ORIGINE_FICHIERS}photo.png"},
            fichiers={"photo.png": photo},
        )
        assert (f"{ORIGINE_FICHIERS}photo.png", True) in demandes
        images = subprocess.run(
            ["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert [ligne.split()[3:5] for ligne in images.splitlines()[2:]] == [["40", "30"]]
