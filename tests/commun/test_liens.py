import pytest

from commun.liens import lien_absolu


def test_lien_absolu_uses_site_url_only(settings):
    settings.SITE_URL = "https://maillage.example.org"
    assert lien_absolu("/cafes/12/") == "https://maillage.example.org/cafes/12/"
    with pytest.raises(ValueError):
        lien_absolu("https://pirate.example/")
