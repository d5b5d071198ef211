import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from courrier.enums import StatutCourriel
from courrier.models import AdresseEnEchec, Courriel, PieceJointe
from tests.factories import CentreFactory


class CourrielFactory(DjangoModelFactory):
    """A queued email; traits give the other states as the services leave them."""

    class Meta:
        model = Courriel

    centre = factory.SubFactory(CentreFactory)
    destinataire = factory.Sequence(lambda n: f"partenaire{n}@exemple.fr")
    sujet = factory.Sequence(lambda n: f"Café partenaires n°{n}")
    corps_texte = "Bonjour,\n\nVous êtes invité·e au café partenaires.\n"
    corps_html = "<p>Bonjour,</p><p>Vous êtes invité·e au café partenaires.</p>"

    class Params:
        envoye = factory.Trait(
            statut=StatutCourriel.ENVOYE,
            tentatives=1,
            envoye_le=factory.LazyFunction(timezone.now),
            message_id=factory.Sequence(lambda n: f"<{n}.essai@maillage.example.org>"),
        )
        en_cours = factory.Trait(statut=StatutCourriel.ENVOI, tentatives=1)
        differe = factory.Trait(
            statut=StatutCourriel.EN_ATTENTE,
            tentatives=1,
            derniere_erreur="421 4.3.0 Try again later",
            prochain_essai=factory.LazyFunction(
                lambda: timezone.now() + datetime.timedelta(seconds=30)
            ),
        )
        echec = factory.Trait(
            statut=StatutCourriel.ECHEC,
            tentatives=1,
            derniere_erreur="550 5.1.1 No such user",
        )
        annule = factory.Trait(
            statut=StatutCourriel.ANNULE,
            derniere_erreur="Envoi annulé : l'adresse figure dans la liste des adresses en échec.",
        )


class PieceJointeFactory(DjangoModelFactory):
    class Meta:
        model = PieceJointe

    courriel = factory.SubFactory(CourrielFactory)
    nom = "invitation.ics"
    type_mime = "text/calendar"
    contenu = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


class AdresseEnEchecFactory(DjangoModelFactory):
    class Meta:
        model = AdresseEnEchec
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"disparu{n}@exemple.fr")
    raison = "550 5.1.1 No such user"
