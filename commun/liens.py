"""Absolute links, for emails and anything read outside the site."""

from django.conf import settings


def lien_absolu(path):
    """``settings.SITE_URL`` + ``path`` (which starts with ``/``).

    Links in emails never come from the request's Host header, which a client can forge to
    make us send someone a password-reset link to another site.
    """
    if not path.startswith("/"):
        raise ValueError(f"An absolute path is expected, got {path!r}.")
    return settings.SITE_URL + path


def lien_tel(numero):
    """A ``tel:`` URI for a phone number as people write it ("05 53 43 56 69"), so that a
    phone dials it in one tap: digits only, the ``+`` of an international number, without the
    "(0)" that some write after it."""
    chiffres = "".join(c for c in numero.replace("(0)", "") if c.isdigit())
    return f"tel:+{chiffres}" if numero.strip().startswith("+") else f"tel:{chiffres}"
