"""Files staff upload (signed agreements, photos and documents of a review): checked by their
content, stored under a random name that no URL serves, and sent back only through a view
that has checked who asks (``reponse_fichier``).
"""

import io
import secrets
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

TAILLE_MAX = 10 * 1024 * 1024

# What each accepted kind of file starts with, whatever its name says.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
TYPES_MIME = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}
DOCUMENT = ("pdf",)
DOCUMENT_OU_PHOTO = ("pdf", "jpeg", "png")


def nature(fichier):
    """The kind of ``fichier`` ("pdf", "jpeg", "png") told by its first bytes, or None."""
    position = fichier.tell() if hasattr(fichier, "tell") else 0
    fichier.seek(0)
    debut = fichier.read(16)
    fichier.seek(position)
    for nom, signatures in SIGNATURES.items():
        if debut.startswith(signatures):
            return nom
    return None


def verifier_fichier(fichier, *, natures=DOCUMENT, taille_max=TAILLE_MAX):
    """Raises a ValidationError in French unless ``fichier`` (an uploaded file) is one of
    ``natures`` by its content and weighs at most ``taille_max``. Returns its nature."""
    if fichier.size > taille_max:
        raise ValidationError(
            _("Ce fichier pèse %(taille)s ; la limite est de %(limite)s.")
            % {"taille": filesizeformat(fichier.size), "limite": filesizeformat(taille_max)},
            code="taille",
        )
    trouvee = nature(fichier)
    if trouvee not in natures:
        attendus = ", ".join(EXTENSIONS[n].lstrip(".").upper() for n in natures)
        raise ValidationError(
            _(
                "Ce fichier n'est pas un %(attendus)s lisible (son contenu ne correspond pas, "
                "quel que soit son nom) : déposez un fichier %(attendus)s."
            )
            % {"attendus": attendus},
            code="nature",
        )
    return trouvee


@deconstructible
class CheminPrive:
    """An ``upload_to`` for ``dossier``: a random file name, keeping only a safe extension, so
    that a stored path reveals nothing and cannot be guessed."""

    def __init__(self, dossier):
        self.dossier = dossier

    def __call__(self, instance, nom_fichier):
        extension = PurePath(nom_fichier).suffix.lower()
        if extension not in {".pdf", ".jpg", ".jpeg", ".png"}:
            extension = ""
        return f"{self.dossier}/{secrets.token_urlsafe(18)}{extension}"

    def __eq__(self, autre):
        return isinstance(autre, CheminPrive) and autre.dossier == self.dossier


def reponse_fichier(champ, nom, *, en_ligne=True):
    """The stored file of ``champ`` (a FieldFile) as a response named ``nom``: shown in the
    browser (a PDF, a photo) or downloaded. The type comes from the content, and the browser
    is told not to guess another one."""
    # Read whole (uploads weigh 10 MB at most): no file handle outlives the request, even
    # when the client never reads the body (the test client, a dropped connection).
    with champ.open("rb") as fichier:
        contenu = io.BytesIO(fichier.read())
    type_mime = TYPES_MIME.get(nature(contenu), "application/octet-stream")
    response = FileResponse(
        contenu, as_attachment=not en_ligne, filename=nom, content_type=type_mime
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A PDF or an image needs nothing else; a file that is neither must not run anything.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    return response
