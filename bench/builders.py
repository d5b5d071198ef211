"""Small helpers for the builders that apps write in their ``bench.py``."""

from contextlib import ExitStack, contextmanager
from functools import cache
from unittest import mock

from django.contrib.auth.hashers import make_password

from commun.texte import cle_tri
from partenariats.models import Partenaire

# Rows per INSERT: big enough to be fast, small enough for SQLite's limit on parameters.
BATCH = 1000


@cache
def password_hash():
    """One hash for every account: Argon2 on thousands of users would take minutes, and the
    runner logs in with ``force_login`` anyway."""
    return make_password("banc-d-essai")


@contextmanager
def backdated(model, *field_names):
    """Lets ``bulk_create`` keep the dates given to ``auto_now_add``/``auto_now`` fields.

    Otherwise every row is created "now", which no real table looks like: orderings on the
    date become sorts on the tie-breaker, and nothing is old enough for a date filter. Fixing
    the dates afterwards with ``bulk_update`` costs more than the insert itself.
    """
    with ExitStack() as stack:
        for name in field_names:
            field = model._meta.get_field(name)
            stack.enter_context(mock.patch.object(field, "auto_now_add", False))
            stack.enter_context(mock.patch.object(field, "auto_now", False))
        yield


def bulk_create_partenaires(partenaires, **kwargs):
    """``Partenaire.objects.bulk_create`` with the sort key ``save()`` would have set."""
    partenaires = list(partenaires)
    for partenaire in partenaires:
        partenaire.nom_tri = cle_tri(partenaire.nom)
    return Partenaire.objects.bulk_create(partenaires, **kwargs)
