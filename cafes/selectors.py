"""Who a café invites: its series' circle, plus the café's additions, minus its removals."""

from django.db.models import Q

from partenariats.models import Contact, Partenaire


def cafe_cercle(cafe):
    """Active partners of the café's centre invited to it: those of the series' categories or
    themes, or picked by hand, plus the café's additions, minus its removals."""
    serie = cafe.serie
    condition = Q(pk__in=serie.partenaires.values("pk")) | Q(
        pk__in=cafe.partenaires_ajoutes.values("pk")
    )
    if serie.categories:
        condition |= Q(categorie__in=serie.categories)
    condition |= Q(themes__in=serie.themes.all())
    return (
        Partenaire.objects.for_centre(cafe.centre)
        .actifs()
        .filter(condition)
        .exclude(pk__in=cafe.partenaires_retires.values("pk"))
        .distinct()
        .order_by("nom")
    )


def cafe_destinataires(cafe):
    """One contact per invitation: contacts of the circle who receive café invitations and
    have an address, never those who opted out of emails."""
    return (
        Contact.objects.joignables()
        .filter(recoit_invitations_cafe=True, partenaire__in=cafe_cercle(cafe))
        .select_related("partenaire")
        .order_by("partenaire__nom", "nom", "prenom")
    )
