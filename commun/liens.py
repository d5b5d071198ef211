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
