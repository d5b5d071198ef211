"""One creation per form: a double click, a reload or a second tab sending the same creation
form again leads to what the first sending made instead of making it twice.

The form carries a one-time key (``cle_creation``, a new one each time the empty form is
shown; templates write ``{% include "includes/cle_creation.html" %}``). The first valid
sending claims the key in the cache, and once the object exists, records where it is. A
later sending with the same key is sent there. Partners and requests received keep a
database constraint instead (their key is a column); this serves the creation forms whose
models have none. Without a cache (Redis down), creation works as if there were no key.
"""

import time
import uuid

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

DUREE_CLE = 60 * 60
EN_COURS = "en-cours"
# How long a second sending waits for the first one to finish before pointing to the list.
ATTENTE_MAX = 3.0


class CreationUniqueMixin:
    """For a CreateView whose success is a redirection to the object made. ``url_liste``
    (a method) is where a second sending goes when the first one has not finished yet."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cle_creation"] = self._cle() or uuid.uuid4()
        return context

    def _cle(self):
        try:
            return uuid.UUID(self.request.POST.get("cle_creation", ""))
        except ValueError:
            return None

    def _cle_cache(self, cle):
        return f"creation:{type(self).__name__}:{self.request.user.pk}:{cle}"

    def _deja_envoye(self, cle_cache):
        """The response to a sending whose key was already used, or None."""
        debut = time.monotonic()
        while True:
            deja = cache.get(cle_cache)
            if deja is None:
                # Gone (expired), or no cache at all: nothing to go by.
                return None
            if deja != EN_COURS:
                messages.info(self.request, _("Ce formulaire avait déjà été enregistré."))
                return HttpResponseRedirect(deja)
            if time.monotonic() - debut > ATTENTE_MAX:
                messages.info(
                    self.request,
                    _("Ce formulaire est déjà en cours d'enregistrement : il apparaîtra ici."),
                )
                return HttpResponseRedirect(self.url_liste())
            time.sleep(0.1)

    def post(self, request, *args, **kwargs):
        cle = self._cle()
        if cle is None:
            return super().post(request, *args, **kwargs)
        cle_cache = self._cle_cache(cle)
        if not cache.add(cle_cache, EN_COURS, DUREE_CLE):
            deja = self._deja_envoye(cle_cache)
            if deja is not None:
                return deja
        try:
            response = super().post(request, *args, **kwargs)
        except BaseException:
            cache.delete(cle_cache)
            raise
        if response.status_code == 302:
            cache.set(cle_cache, response["Location"], DUREE_CLE)
        else:
            # The form came back with its errors: the same key may be sent again, corrected.
            cache.delete(cle_cache)
        return response
