"""The emails of the partner directory, one function per email.

Each one owns its templates (``partenariats/emails/<name>_sujet.txt``, ``.txt`` and ``.html``)
and their context, and prepares the email through the outbox: it exists in the caller's
transaction and leaves after the commit (``courrier.services.courriel_preparer``). Services
call these; views never do.
"""

from django.urls import reverse

from commun.liens import lien_absolu
from courrier.services import courriel_preparer, expediteur


def demande_fiche(*, demande, lien):
    """Asks ``demande.destinataire`` to check the partner's fiche through its personal
    ``lien``, valid until ``demande.expire_le``."""
    return courriel_preparer(
        destinataire=demande.destinataire,
        gabarit="partenariats/emails/demande_fiche",
        contexte={
            "partenaire": demande.partenaire,
            "contact": demande.contact,
            "envoyee_par": demande.envoyee_par,
            "expire_le": demande.expire_le,
            "lien": lien,
        },
        centre=demande.partenaire.centre,
        objet=demande,
        **expediteur(demande.partenaire.centre, demande.envoyee_par),
    )


def demande_fiche_nouveau_lien(*, demande, destinataire):
    """Tells a member of the centre (the address ``destinataire``) that someone holding a dead
    link to ``demande`` wants a new one, with a link to the page that sends it."""
    lien = lien_absolu(reverse("partenariats:demande_creer", args=[demande.partenaire_id]))
    return courriel_preparer(
        destinataire=destinataire,
        gabarit="partenariats/emails/demande_fiche_nouveau_lien",
        contexte={"demande": demande, "partenaire": demande.partenaire, "lien": lien},
        centre=demande.centre,
        objet=demande,
    )
