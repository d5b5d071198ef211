"""Uploaded files are judged by their content, not their name, and stored under names that
reveal nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from commun.fichiers import DOCUMENT_OU_PHOTO, CheminPrive, verifier_fichier

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_pdf_and_a_photo_pass():
    assert verifier_fichier(SimpleUploadedFile("a.pdf", PDF)) == "pdf"
    photo = SimpleUploadedFile("photo.png", PNG)
    assert verifier_fichier(photo, natures=DOCUMENT_OU_PHOTO) == "png"


def test_a_file_renamed_to_pdf_is_refused_in_french():
    faux = SimpleUploadedFile("protocole.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(ValidationError) as erreur:
        verifier_fichier(faux)
    assert "n'est pas un PDF lisible" in erreur.value.messages[0]


def test_a_photo_is_not_a_document():
    with pytest.raises(ValidationError):
        verifier_fichier(SimpleUploadedFile("scan.pdf", PNG))


def test_a_file_over_the_limit_is_refused_with_its_size():
    gros = SimpleUploadedFile("gros.pdf", PDF + b"0" * (30 * 1024 * 1024))
    with pytest.raises(ValidationError) as erreur:
        verifier_fichier(gros)
    assert "pèse 30,0\u00a0Mio" in erreur.value.messages[0]
    assert "la limite est de 10,0" in erreur.value.messages[0]


def test_stored_names_are_random_and_keep_only_a_safe_extension():
    chemin = CheminPrive("bilans")
    premier, second = chemin(None, "Photo du goûter.JPG"), chemin(None, "Photo du goûter.JPG")
    assert premier.startswith("bilans/") and premier.endswith(".jpg")
    assert premier != second
    assert "goûter" not in premier
    assert chemin(None, "page.html").rpartition(".")[1] == ""
    assert CheminPrive("bilans") == chemin
