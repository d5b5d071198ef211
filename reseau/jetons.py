"""Signed, single-purpose, expiring tokens for the links partners receive by email.

Partners have no account: a link is their only credential. A token is
``{"u": usage, "id": pk, "exp": timestamp}`` signed by ``django.core.signing.Signer`` with a
salt derived from the usage (``sign_object``: compact JSON, base64, HMAC-SHA256), so:

- a token made for one usage fails the signature check for any other (and says so in its
  payload too, checked after the signature);
- the object id and the expiry live inside the signed value: changing either breaks the
  signature, and no table of tokens is needed;
- the signature is compared in constant time by ``django.core.signing``, and keys listed in
  ``SECRET_KEY_FALLBACKS`` keep validating links sent before a key rotation.

A token is not secret from the person holding it (the payload is only base64), it proves
that we issued it. It reads like ``eyJ1Ijoi…:UqUWdh…`` (about 120 URL-safe characters, with
one ``:``), fine in a URL path.
"""

from datetime import UTC, datetime

from django.core import signing
from django.utils import timezone
from django_scopes import scopes_disabled

SALT_PREFIX = "maillage.jeton:"


class JetonInvalide(Exception):
    """Forged, truncated, altered, or made for another usage: nothing can be trusted in it."""


class JetonExpire(JetonInvalide):
    """Genuine but past its expiry. ``pk`` is trustworthy (the signature held), so that the
    page can offer to ask for a new link for this very object."""

    def __init__(self, pk, expire_le):
        super().__init__(f"Token expired on {expire_le.isoformat()}.")
        self.pk = pk
        self.expire_le = expire_le


def _signer(usage):
    return signing.Signer(salt=SALT_PREFIX + usage)


def jeton_creer(*, usage, pk, expire_le):
    """A token for object ``pk`` and ``usage`` ("partenariats.fiche"...), valid until the
    aware datetime ``expire_le``. The same arguments always give the same token."""
    if timezone.is_naive(expire_le):
        raise ValueError("expire_le must be an aware datetime.")
    # Signer, not signing.dumps: dumps adds the signing time, and a link is better the same
    # whenever it is computed again (a resend, a test reading the email).
    return _signer(usage).sign_object({"u": usage, "id": pk, "exp": int(expire_le.timestamp())})


def jeton_verifier(jeton, *, usage):
    """Returns the object id that ``jeton`` was made for with ``usage``.

    Raises ``JetonExpire`` (with ``pk``) when the token is genuine but expired, and
    ``JetonInvalide`` for anything else. The caller still checks that the object exists and
    is in a state where the action makes sense.
    """
    try:
        contenu = _signer(usage).unsign_object(jeton)
    except signing.BadSignature as exc:
        raise JetonInvalide("Bad signature.") from exc
    if (
        not isinstance(contenu, dict)
        or contenu.get("u") != usage
        or not isinstance(contenu.get("id"), int)
        or not isinstance(contenu.get("exp"), int)
    ):
        raise JetonInvalide("Unexpected payload.")
    expire_le = datetime.fromtimestamp(contenu["exp"], tz=UTC)
    if expire_le <= timezone.now():
        raise JetonExpire(contenu["id"], expire_le)
    return contenu["id"]


def jeton_lire(jeton, *, usage, modele, relations=()):
    """``(objet, valide)`` for the token of a personal link made with ``usage`` for a row of
    ``modele`` (``relations``: for ``select_related``).

    ``(objet, True)``: genuine and alive. ``(objet, False)``: genuine but expired; the object is
    known, so the page can offer to ask for a new link. ``(None, False)``: forged, altered,
    truncated, made for another usage, or its object is gone; the caller shows the same page as
    for an expired link and reveals nothing.

    The object is read across centres (the signature is the credential, not a session): the
    caller then works in the scope of the object's centre (``reseau.access.JetonMixin``).
    """
    try:
        pk = jeton_verifier(jeton, usage=usage)
        valide = True
    except JetonExpire as exc:
        pk, valide = exc.pk, False
    except JetonInvalide:
        return None, False
    with scopes_disabled():
        objet = modele.objects.select_related(*relations).filter(pk=pk).first()
    if objet is None:
        return None, False
    return objet, valide
