import datetime

import pytest
from django.core.exceptions import ValidationError

from courrier.models import Courriel
from reseau import services
from reseau.enums import AuditAction, Role
from reseau.models import DemandeReinitialisation, EntreeJournal, Membre, User
from tests.factories import MembreFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestMembreInviter:
    def test_new_person_gets_an_account_without_password_and_a_link_to_choose_it(
        self, centre, admin_user, settings, django_capture_on_commit_callbacks
    ):
        settings.SITE_URL = "https://maillage.example.org"
        with django_capture_on_commit_callbacks(execute=True):
            membre = services.membre_inviter(
                centre=centre,
                email="Nouvelle.Personne@Exemple.fr",
                role=Role.SALARIE,
                first_name="Léa",
                last_name="Roux",
                par=admin_user,
            )
        user = membre.user
        assert user.email == "nouvelle.personne@exemple.fr"
        assert not user.has_usable_password()
        assert membre.centre == centre and membre.role == Role.SALARIE

        courriel = Courriel.objects.get(destinataire=user.email)
        assert courriel.centre == centre
        assert centre.nom in courriel.sujet
        assert "https://maillage.example.org/compte/mot-de-passe/nouveau/" in courriel.corps_texte
        assert "Salarié" in courriel.corps_texte

    def test_existing_account_is_added_and_told_to_log_in(self, centre, admin_user, settings):
        settings.SITE_URL = "https://maillage.example.org"
        existing = UserFactory(email="deja@exemple.fr")
        membre = services.membre_inviter(
            centre=centre, email="DEJA@exemple.fr", role=Role.LECTURE, par=admin_user
        )
        assert membre.user == existing
        assert existing.has_usable_password()
        courriel = Courriel.objects.get(destinataire="deja@exemple.fr")
        assert "https://maillage.example.org/compte/connexion/" in courriel.corps_texte
        assert "mot-de-passe/nouveau" not in courriel.corps_texte

    def test_already_a_member_is_refused(self, centre, admin_user, salarie_user):
        with pytest.raises(ValidationError):
            services.membre_inviter(
                centre=centre, email=salarie_user.email, role=Role.ADMIN, par=admin_user
            )
        assert Membre.objects.filter(user=salarie_user).count() == 1

    def test_invitation_is_audited_without_personal_data(self, centre, admin_user):
        membre = services.membre_inviter(
            centre=centre, email="audit@exemple.fr", role=Role.SALARIE, par=admin_user
        )
        entry = EntreeJournal.objects.get(action=AuditAction.MEMBRE_INVITE)
        assert entry.par == admin_user
        assert entry.centre == centre
        assert entry.object_id == str(membre.pk)
        assert entry.content_type.model == "membre"


class TestRoles:
    def test_change_role(self, centre, admin_user, salarie_user):
        membre = Membre.objects.get(user=salarie_user)
        services.membre_changer_role(membre=membre, role=Role.ADMIN, par=admin_user)
        membre.refresh_from_db()
        assert membre.role == Role.ADMIN
        assert EntreeJournal.objects.filter(action=AuditAction.MEMBRE_ROLE_CHANGE).count() == 1

    def test_last_admin_cannot_step_down(self, centre, admin_user):
        membre = Membre.objects.get(user=admin_user)
        with pytest.raises(ValidationError, match="au moins un administrateur"):
            services.membre_changer_role(membre=membre, role=Role.SALARIE, par=admin_user)
        membre.refresh_from_db()
        assert membre.role == Role.ADMIN

    def test_admin_may_step_down_when_another_remains(self, centre, admin_user):
        MembreFactory(centre=centre, admin=True)
        membre = Membre.objects.get(user=admin_user)
        services.membre_changer_role(membre=membre, role=Role.LECTURE, par=admin_user)
        membre.refresh_from_db()
        assert membre.role == Role.LECTURE

    def test_admins_of_another_centre_do_not_count(self, centre, autre_centre, admin_user):
        MembreFactory(centre=autre_centre, admin=True)
        with pytest.raises(ValidationError):
            services.membre_retirer(membre=Membre.objects.get(user=admin_user), par=admin_user)


class TestMembreRetirer:
    def test_removes_membership_but_keeps_account_and_other_centres(
        self, centre, autre_centre, admin_user, salarie_user
    ):
        MembreFactory(user=salarie_user, centre=autre_centre)
        services.membre_retirer(
            membre=Membre.objects.get(user=salarie_user, centre=centre), par=admin_user
        )
        assert not Membre.objects.filter(user=salarie_user, centre=centre).exists()
        assert Membre.objects.filter(user=salarie_user, centre=autre_centre).exists()
        assert User.objects.filter(pk=salarie_user.pk).exists()
        assert EntreeJournal.objects.filter(
            action=AuditAction.MEMBRE_RETIRE, centre=centre
        ).exists()


class TestReinitialisation:
    def test_a_request_handled_twice_sends_one_email(self, django_capture_on_commit_callbacks):
        UserFactory(email="awa@centre.test")
        # The task and the sweeper, or a redelivered task: only the first finds the request.
        with django_capture_on_commit_callbacks(execute=False):
            demande = services.reinitialisation_enregistrer(email="awa@centre.test")
        assert services.reinitialisation_traiter(demande_id=demande.pk) is True
        assert services.reinitialisation_traiter(demande_id=demande.pk) is False
        assert list(Courriel.objects.values_list("destinataire", flat=True)) == ["awa@centre.test"]
        assert not DemandeReinitialisation.objects.exists()

    def test_a_request_left_for_a_day_is_dropped(self, time_machine):
        time_machine.move_to(datetime.datetime(2026, 12, 21, 9, tzinfo=datetime.UTC), tick=False)
        DemandeReinitialisation.objects.create(email="awa@centre.test")
        time_machine.move_to(datetime.datetime(2026, 12, 22, 9, 1, tzinfo=datetime.UTC), tick=False)
        assert services.reinitialisations_reprendre() == []
        assert not DemandeReinitialisation.objects.exists()
        assert not Courriel.objects.exists()
