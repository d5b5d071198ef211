"""Demo federation, centres and one account per role (see ``manage.py demo``)."""

from datetime import date

from reseau.enums import Role
from reseau.models import Centre, Coordination, Federation, Membre, User

MOT_DE_PASSE = "maillage-demo"

COMPTES = [
    ("directrice@montanou.demo", "admin du centre de Montanou, salariée à Tapie (deux centres)"),
    ("animateur@montanou.demo", "salarié du centre de Montanou"),
    ("benevole@montanou.demo", "lecture seule au centre de Montanou"),
    ("coordination@fcs47.demo", "coordinatrice de la fédération (tableaux de bord)"),
    ("admin@maillage.demo", "superutilisateur (administration technique /admin/)"),
]

CENTRES = [
    {
        "slug": "montanou",
        "email": "accueil@montanou.demo",
        "nom": "Centre social de Montanou",
        "adresse": "12 rue Lamartine",
        "code_postal": "47000",
        "commune": "Agen",
        "projet_social_debut": date(2023, 1, 1),
        "projet_social_fin": date(2026, 12, 31),
    },
    {
        "slug": "tapie",
        "email": "accueil@tapie.demo",
        "nom": "Centre social Sud-Est de Tapie",
        "adresse": "4 place de la Tapie",
        "code_postal": "47000",
        "commune": "Agen",
        "projet_social_debut": date(2024, 7, 1),
        "projet_social_fin": date(2028, 6, 30),
    },
    {
        "slug": "fumel",
        "email": "accueil@fumel.demo",
        "nom": "Centre social du Fumélois",
        "adresse": "2 avenue de l'Usine",
        "code_postal": "47500",
        "commune": "Fumel",
        "projet_social_debut": date(2022, 1, 1),
        "projet_social_fin": date(2025, 12, 31),
    },
]


def _compte(email, first_name, last_name, **extra):
    user, _created = User.objects.update_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, **extra}
    )
    user.set_password(MOT_DE_PASSE)
    user.save(update_fields=["password"])
    return user


def charger(stdout):
    federation, _created = Federation.objects.update_or_create(
        slug="fcs47",
        defaults={
            "nom": "Fédération des centres sociaux de Lot-et-Garonne",
            "departement": "Lot-et-Garonne (47)",
        },
    )
    centres = {}
    for data in CENTRES:
        data = dict(data)
        slug = data.pop("slug")
        centres[slug], _created = Centre.objects.update_or_create(
            slug=slug, defaults={**data, "federation": federation}
        )

    directrice = _compte("directrice@montanou.demo", "Nadia", "Belkacem")
    animateur = _compte("animateur@montanou.demo", "Julien", "Marty")
    benevole = _compte("benevole@montanou.demo", "Odette", "Lagarde")
    coordinatrice = _compte("coordination@fcs47.demo", "Claire", "Dufau")
    _compte("admin@maillage.demo", "Admin", "Technique", is_staff=True, is_superuser=True)

    for user, slug, role in [
        (directrice, "montanou", Role.ADMIN),
        (directrice, "tapie", Role.SALARIE),
        (animateur, "montanou", Role.SALARIE),
        (benevole, "montanou", Role.LECTURE),
    ]:
        Membre.objects.update_or_create(user=user, centre=centres[slug], defaults={"role": role})
    Coordination.objects.get_or_create(user=coordinatrice, federation=federation)
    stdout.write("  réseau : 1 fédération, 3 centres, 5 comptes")
