"""The emails of the partner directory and of the partnerships, one function per email.

Each one owns its templates (``partenariats/emails/<name>_sujet.txt``, ``.txt`` and ``.html``)
and their context, and prepares the email through the outbox: it exists in the caller's
transaction and leaves after the commit (``courrier.services.courriel_preparer``). Services
call these; views never do.
"""

from django.urls import reverse

from commun.liens import lien_absolu
from courrier.services import courriel_preparer, expediteur
from partenariats.alertes import GenreAlerte


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


def alertes_recapitulatif(*, centre, destinataire, alertes, deja_signalees=0):
    """Tells ``destinataire`` (a user, admin of ``centre``) what needs the centre's attention:
    ``alertes`` (``partenariats.alertes.Alerte``, not told before), grouped by kind, each with
    an absolute link; ``deja_signalees``: how many items told on an earlier day are still
    there (named, not repeated)."""
    groupes = [
        (libelle, [(a, lien_absolu(a.url)) for a in alertes if a.genre == genre])
        for genre, libelle in GenreAlerte.choices
    ]
    return courriel_preparer(
        destinataire=destinataire.email,
        gabarit="partenariats/emails/alertes",
        contexte={
            "destinataire": destinataire,
            "groupes": [(libelle, items) for libelle, items in groupes if items],
            "nb": len(alertes),
            "deja_signalees": deja_signalees,
            "lien_accueil": lien_absolu(reverse("accueil")),
        },
        centre=centre,
        **expediteur(centre),
    )
