"""Writes of the partner directory. History (who changed what) is recorded by
django-simple-history on every save, with the request's user."""

from django.db import transaction

from partenariats.models import Partenaire


@transaction.atomic
def partenaire_creer(*, centre, form):
    """Saves a validated PartenaireForm as a new partner of ``centre`` (themes included)."""
    form.instance.centre = centre
    return form.save()


@transaction.atomic
def partenaire_archiver(*, partenaire, archive=True):
    """Archives (or restores) a partner. Partners are never deleted: their history stays, and
    an archived partner leaves the directory, the booklet and the invitation lists."""
    partenaire = Partenaire.objects.select_for_update().get(pk=partenaire.pk)
    if partenaire.archive != archive:
        partenaire.archive = archive
        partenaire.save(update_fields=["archive", "modifie_le"])
    return partenaire
