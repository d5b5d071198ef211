"""Contacts a partner added (a colleague sent in their place from a café invitation's link):
marked as proposed, counted on the directory, listed for the centre's staff, who keep them or
delete them; read-only members see the list and cannot act."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from cafes.enums import Reponse
from cafes.models import Invitation
from cafes.selectors import destinataires
from cafes.services.rsvp import collegue_inviter
from partenariats.models import Contact, Partenaire
from partenariats.selectors import partenaire_chronologie
from tests.cafes.factories import InvitationFactory
from tests.partenariats.factories import ContactFactory

pytestmark = pytest.mark.django_db

LISTE = reverse("partenariats:contacts_proposes")


@pytest.fixture
def invitation_lea(centre, time_machine):
    """Léa Martin's invitation: Awa Diallo, invited to a café, sent her in her place."""
    time_machine.move_to("2026-11-20 10:00+01:00", tick=False)
    awa = InvitationFactory(
        centre=centre, envoyee=True, contact__prenom="Awa", contact__nom="Diallo"
    )
    return collegue_inviter(
        invitation=awa, prenom="Léa", nom="Martin", email="lea.martin@partenaire.test"
    )


@pytest.fixture
def lea(invitation_lea):
    return invitation_lea.contact


def garder(client, contact):
    return client.post(reverse("partenariats:contact_garder", args=[contact.pk]))


def supprimer(contact):
    return reverse("partenariats:contact_supprimer", args=[contact.pk]) + "?retour=proposes"


def test_the_directory_counts_them_and_leads_to_the_list(client_lecture, centre, lea):
    ContactFactory(centre=centre, propose=True)
    ContactFactory(centre=centre)
    response = client_lecture.get(reverse("partenariats:liste"))
    assertContains(response, "2 contacts proposés à vérifier")
    assertContains(response, f'href="{LISTE}"')
    Contact.objects.update(propose_le=None)
    assertNotContains(client_lecture.get(reverse("partenariats:liste")), "à vérifier")


def test_the_list_holds_the_current_centres_only(client_lecture, centre, autre_centre, lea):
    ailleurs = ContactFactory(centre=autre_centre, propose=True, nom="Ailleurs")
    response = client_lecture.get(LISTE)
    assert list(response.context["contacts"]) == [lea]
    assertContains(response, "1 contact à vérifier")
    assertContains(response, "Léa Martin")
    assertContains(response, "lea.martin@partenaire.test")
    assertContains(response, "Awa Diallo")
    assertNotContains(response, ailleurs.email)
    # The directory of the current centre does not count it either.
    assertContains(
        client_lecture.get(reverse("partenariats:liste")), "1 contact proposé à vérifier"
    )


def test_the_list_has_a_constant_number_of_queries(
    client_lecture, centre, django_assert_max_num_queries
):
    ContactFactory.create_batch(2, centre=centre, propose=True)
    with django_assert_max_num_queries(12) as petit:
        client_lecture.get(LISTE)
    ContactFactory.create_batch(20, centre=centre, propose=True)
    with django_assert_max_num_queries(len(petit.captured_queries)):
        response = client_lecture.get(LISTE)
    assert len(response.context["contacts"]) == 22


def test_the_partner_page_marks_them(client_lecture, centre, lea):
    ContactFactory(partenaire=lea.partenaire)
    response = client_lecture.get(lea.partenaire.get_absolute_url())
    assertContains(response, "Proposé par le partenaire", count=1)
    assertContains(response, "Contact proposé par le partenaire\u00a0: Léa Martin")


def test_keeping_clears_the_mark_and_the_history_says_who(
    client_salarie, salarie_user, lea, time_machine
):
    time_machine.move_to("2026-11-23 14:00+01:00", tick=False)
    response = garder(client_salarie, lea)
    assertRedirects(response, LISTE, fetch_redirect_response=False)
    lea.refresh_from_db()
    assert (lea.propose_le, lea.propose_par) == (None, None)
    assert lea.history.first().history_user == salarie_user
    page = client_salarie.get(LISTE)
    assertContains(page, "Contact gardé dans l&#x27;annuaire\u00a0: Léa Martin.")
    assertContains(page, "Aucun contact à vérifier.")
    (garde,) = [
        e
        for e in partenaire_chronologie(lea.partenaire)
        if e.libelle == "Contact proposé par le partenaire, gardé\u00a0: Léa Martin"
    ]
    assert garde.auteur == str(salarie_user)
    # Twice changes nothing more.
    garder(client_salarie, lea)
    assert lea.history.count() == 2


def test_editing_it_through_the_contact_form_keeps_it(client_salarie, lea):
    response = client_salarie.post(
        reverse("partenariats:contact_modifier", args=[lea.pk]),
        {"nom": "Martin", "prenom": "Léa", "email": lea.email, "fonction": "Animatrice"},
    )
    assert response.status_code == 302
    lea.refresh_from_db()
    assert (lea.fonction, lea.propose_le) == ("Animatrice", None)


def test_deleting_it_takes_its_unanswered_invitation_along(client_salarie, lea, invitation_lea):
    page = client_salarie.get(supprimer(lea))
    assertContains(page, "Contact proposé par le partenaire\u00a0: l'invitation au café")
    assertContains(page, f'href="{LISTE}"')
    response = client_salarie.post(supprimer(lea))
    assertRedirects(response, LISTE, fetch_redirect_response=False)
    assert not Contact.objects.filter(pk=lea.pk).exists()
    assert not Invitation.objects.filter(pk=invitation_lea.pk).exists()
    # The invitation that sent her stays, with its answer.
    assert Invitation.objects.get().reponse == Reponse.NON
    assertContains(client_salarie.get(LISTE), "Contact supprimé.")


def test_a_proposed_colleague_who_answered_stays(client_salarie, lea, invitation_lea):
    Invitation.objects.filter(pk=invitation_lea.pk).update(reponse=Reponse.OUI)
    response = client_salarie.post(supprimer(lea), follow=True)
    assertRedirects(response, LISTE)
    assertContains(response, "ce contact ne peut pas être supprimé")
    assert Contact.objects.filter(pk=lea.pk).exists()
    assert Invitation.objects.filter(pk=invitation_lea.pk).exists()


def test_read_only_members_see_but_do_not_act(client_lecture, lea):
    response = client_lecture.get(LISTE)
    assertContains(response, "Léa Martin")
    assertNotContains(response, reverse("partenariats:contact_garder", args=[lea.pk]))
    assertNotContains(response, "Supprimer")
    assert garder(client_lecture, lea).status_code == 403
    assert client_lecture.get(supprimer(lea)).status_code == 403
    assert client_lecture.post(supprimer(lea)).status_code == 403
    lea.refresh_from_db()
    assert lea.propose_le is not None


def test_another_centres_proposed_contact_is_not_found(client_salarie, autre_centre):
    ailleurs = ContactFactory(centre=autre_centre, propose=True)
    assert garder(client_salarie, ailleurs).status_code == 404
    assert client_salarie.post(supprimer(ailleurs)).status_code == 404
    ailleurs.refresh_from_db()
    assert ailleurs.propose_le is not None


def test_later_cafes_invite_a_proposed_contact_once_kept(client_salarie, lea):
    cercle = Partenaire.objects.filter(pk=lea.partenaire_id)
    assert lea not in destinataires(cercle)
    garder(client_salarie, lea)
    assert lea in destinataires(cercle)
