import pytest

from commun.liens import lien_absolu, lien_tel


def test_lien_absolu_uses_site_url_only(settings):
    settings.SITE_URL = "https://maillage.example.org"
    assert lien_absolu("/cafes/12/") == "https://maillage.example.org/cafes/12/"
    with pytest.raises(ValueError):
        lien_absolu("https://pirate.example/")


def test_lien_tel_keeps_digits_and_the_international_plus():
    assert lien_tel("05 53 43 56 69") == "tel:0553435669"
    assert lien_tel("05.53.43.56.69") == "tel:0553435669"
    assert lien_tel(" +33 (0)5 53 43 56 69") == "tel:+33553435669"
