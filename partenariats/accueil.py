"""The directory's reminders and the partnerships' alerts on the home page (see
reseau/accueil.py)."""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from partenariats.alertes import alertes
from partenariats.enums import StatutDemande
from partenariats.filters import FICHE_ANCIENNE
from partenariats.models import DemandeMiseAJour, Partenaire
from reseau.accueil import Rappel, rappel_accueil


@rappel_accueil
def fiches_a_relire_et_a_confirmer(request):
    membre = request.membre
    if membre is None or not membre.peut_modifier:
        return []
    rappels = []
    a_relire = DemandeMiseAJour.objects.for_centre(request.centre).a_examiner().count()
    if a_relire:
        rappels.append(
            Rappel(
                ngettext(
                    "%(nb)d fiche proposée par un partenaire attend votre relecture.",
                    "%(nb)d fiches proposées par des partenaires attendent votre relecture.",
                    a_relire,
                )
                % {"nb": a_relire},
                reverse("partenariats:demandes") + f"?etat={StatutDemande.SOUMISE}",
                ngettext("La relire", "Les relire", a_relire),
            )
        )
    limite = timezone.localdate() - FICHE_ANCIENNE
    # Fiches already asked about are on their way: counting them would invite a second request.
    en_cours = DemandeMiseAJour.objects.en_cours().filter(partenaire=OuterRef("pk"))
    a_confirmer = (
        Partenaire.objects.for_centre(request.centre)
        .du_livret()
        .filter(Q(fiche_confirmee_le__isnull=True) | Q(fiche_confirmee_le__lt=limite))
        .exclude(Exists(en_cours))
        .count()
    )
    if a_confirmer:
        rappels.append(
            Rappel(
                ngettext(
                    "%(nb)d fiche du livret n'a pas été confirmée depuis plus d'un an, "
                    "et aucune demande n'est en cours.",
                    "%(nb)d fiches du livret n'ont pas été confirmées depuis plus d'un an, "
                    "et aucune demande n'est en cours.",
                    a_confirmer,
                )
                % {"nb": a_confirmer},
                reverse("partenariats:liste") + "?livret=oui&fiche=a-demander",
                ngettext("La voir", "Les voir", a_confirmer),
            )
        )
    return rappels


@rappel_accueil
def alertes_du_centre(request):
    """What needs attention (``partenariats.alertes``): the items of the admins' daily digest,
    in the same list as the other reminders, for everyone who can act on them."""
    membre = request.membre
    if membre is None or not membre.peut_modifier:
        return []
    return [
        Rappel(alerte.libelle, alerte.url, alerte.lien)
        for alerte in alertes(request.centre, timezone.localdate())
    ]
