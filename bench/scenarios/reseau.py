"""Benchmark entries of reseau, and the builders other apps start from (bench/README.md).

Builders use ``bulk_create``: 20,000 rows must take seconds. Each runs in a transaction that the
runner rolls back, so fixed names and slugs never clash.
"""

from datetime import date

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

from bench import registry
from bench.builders import BATCH, password_hash
from reseau.enums import Role
from reseau.models import Centre, Federation, Membre, User

FIRST_NAMES = ["Nadia", "Julien", "Odette", "Karim", "Claire", "Mathis", "Inès", "Bernard"]
LAST_NAMES = ["Belkacem", "Marty", "Lagarde", "Dufau", "Nguyen", "Garcia", "Moreau", "Diallo"]


def centre_with_admin():
    """A centre of a federation and its admin, the user the client logs in as."""
    federation = Federation.objects.create(nom="Fédération du banc d'essai", slug="banc-d-essai")
    centre = Centre.objects.create(
        nom="Centre social du banc d'essai",
        slug="banc-d-essai",
        federation=federation,
        adresse="12 rue Lamartine",
        code_postal="47000",
        commune="Agen",
        projet_social_debut=date(2024, 1, 1),
        projet_social_fin=date(2027, 12, 31),
    )
    admin = User.objects.create(
        email="admin@banc-d-essai.test",
        first_name="Aline",
        last_name="Admin",
        password=password_hash(),
    )
    Membre.objects.create(user=admin, centre=centre, role=Role.ADMIN)
    return centre, admin


def members_add(centre, count):
    """``count`` more members: mostly staff, some read-only, one in four invitation pending."""
    users = User.objects.bulk_create(
        [
            User(
                email=f"membre{n}@{centre.slug}.test",
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=f"{LAST_NAMES[n // len(FIRST_NAMES) % len(LAST_NAMES)]} {n}",
                password=password_hash() if n % 4 else UNUSABLE_PASSWORD_PREFIX,
            )
            for n in range(count)
        ],
        batch_size=BATCH,
    )
    return Membre.objects.bulk_create(
        [
            Membre(user=user, centre=centre, role=Role.LECTURE if n % 5 == 0 else Role.SALARIE)
            for n, user in enumerate(users)
        ],
        batch_size=BATCH,
    )


def centre_with_members(scale):
    """Scale: members of the centre, the admin included."""
    centre, admin = centre_with_admin()
    members_add(centre, scale - 1)
    return {"user": admin, "centre": centre}


registry.page("accueil", builder=centre_with_members)
registry.page("reseau:membres", builder=centre_with_members)
