"""The staff's journey through the Café partenaires, in Chromium: create a series inviting the
associations, set a host in rotation and programme the next cafés; send the invitations of the
first one, then move it to another room, which asks before telling those invited; on the day,
check people in on a phone; after it, write the tour de table, assemble the compte rendu, edit
it and send it.

Time is set (``time_machine``, ticking, shared with the live server's thread) so that the dates
are known: the series is made on Monday 4 March 2030, its first café is on Thursday 21 March.
The year is far ahead on purpose: Chromium keeps its own clock, and a cookie whose expiry the
server computed from a date in the past would be dropped at once. Sessions last 12 hours, so
on the café's day the staff member logs in again.

Celery runs eagerly and Django's locmem backend catches the emails (``mailoutbox``)."""

import re

import pytest
from playwright.sync_api import expect

from cafes.enums import Reponse
from cafes.models import Invitation
from partenariats.enums import CategoriePartenaire
from tests.partenariats.factories import ContactFactory, PartenaireFactory

pytestmark = pytest.mark.browser

SERIE = "Café partenaires de Montanou"
PREMIER_CAFE = "jeudi 21 mars 2030"
NOTE_MDS = "Permanence d'accès aux droits le mardi matin ; cherche des bénévoles."
AJOUT = "Prochain café : jeudi 16 mai 2030."
MOT = "Cette fois, nous parlerons aussi de l'été."
SALLE = "Salle Montesquieu, 10 rue Montesquieu, 47000 Agen"
TELEPHONE = {"width": 390, "height": 844}
ORDINATEUR = {"width": 1280, "height": 800}


@pytest.fixture
def journal(page):
    erreurs = []
    page.on("console", lambda msg: msg.type == "error" and erreurs.append(msg.text))
    page.on("pageerror", lambda error: erreurs.append(str(error)))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and erreurs.append(f"{response.status} {response.url}")
        ),
    )
    return erreurs


@pytest.fixture
def annuaire(centre):
    """Three associations with four contacts between them, and the CAF, which is not an
    association: the series' circle leaves it out."""
    mds = PartenaireFactory(centre=centre, nom="Maison des solidarités")
    ludo = PartenaireFactory(
        centre=centre,
        nom="Ludothèque des Quatre Vents",
        adresse="8 rue Montesquieu",
        code_postal="47000",
        commune="Agen",
    )
    secours = PartenaireFactory(centre=centre, nom="Secours populaire d'Agen")
    caf = PartenaireFactory(centre=centre, caf=True)
    assert caf.categorie != CategoriePartenaire.ASSOCIATION
    return {
        "awa": ContactFactory(partenaire=mds, prenom="Awa", nom="Diallo", email="awa@mds.test"),
        "paul": ContactFactory(partenaire=mds, prenom="Paul", nom="Roche", email="paul@mds.test"),
        "ines": ContactFactory(
            partenaire=ludo, prenom="Inès", nom="Martin", email="ines@ludo.test"
        ),
        "marc": ContactFactory(
            partenaire=secours, prenom="Marc", nom="Petit", email="marc@secours.test"
        ),
        "sophie": ContactFactory(
            partenaire=caf, prenom="Sophie", nom="Bernard", email="sophie@caf.test"
        ),
    }


def message_affiche(page, texte):
    return page.get_by_role("status").filter(has_text=texte)


def ligne(tableau, entete):
    """The row of ``tableau`` whose row header is ``entete``."""
    return tableau.get_by_role("row").filter(
        has=tableau.page.get_by_role("rowheader", name=entete, exact=True)
    )


def test_staff_run_a_cafe_from_the_series_to_the_compte_rendu(
    page,
    live_server,
    settings,
    se_connecter,
    salarie_user,
    annuaire,
    mailoutbox,
    journal,
    time_machine,
):
    settings.SITE_URL = live_server.url
    time_machine.move_to("2030-03-04 10:00+01:00")

    # --- The series: its rule and its circle, the associations --------------------------
    se_connecter(salarie_user)
    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("link", name="Cafés partenaires").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cafés partenaires")
    expect(page.locator("main")).to_contain_text("Aucune série pour l'instant")

    page.get_by_role("link", name="Nouvelle série").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle série de cafés")
    page.get_by_role("textbox", name=re.compile(r"^Nom\b")).fill(SERIE)
    page.get_by_role("combobox", name=re.compile(r"^Semaine du mois\b")).select_option(
        label="troisième"
    )
    page.get_by_role("combobox", name=re.compile(r"^Jour\b")).select_option(label="jeudi")
    page.get_by_role("checkbox", name="Association", exact=True).check()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(SERIE)
    expect(message_affiche(page, f"La série {SERIE} est créée.")).to_be_visible()
    regle = page.get_by_role("region", name="Règle et cercle")
    expect(regle).to_contain_text("Le troisième jeudi du mois, 9\u00a0h – 10\u00a0h\u00a030.")
    expect(regle).to_contain_text("3 organisations invitées, 4 contacts à inviter.")

    # --- A host in rotation ---------------------------------------------------------------
    hotes = page.get_by_role("region", name="Hôtes, à tour de rôle")
    expect(hotes).to_contain_text("Pas d'hôte : le centre accueille les cafés.")
    hotes.get_by_role("combobox", name=re.compile(r"^Partenaire hôte\b")).select_option(
        label="Ludothèque des Quatre Vents"
    )
    page.get_by_role("button", name="Ajouter cet hôte").click()
    expect(
        message_affiche(page, "Ludothèque des Quatre Vents rejoint les hôtes de la série.")
    ).to_be_visible()
    hote = hotes.get_by_role("listitem").filter(has_text="Ludothèque des Quatre Vents")
    expect(hote).to_contain_text("1. Ludothèque des Quatre Vents")
    expect(hote).to_contain_text("prochain hôte")

    # --- Programming the next four months, but the April café (school holidays) ----------
    a_venir = page.get_by_role("region", name="Cafés à venir")
    expect(a_venir).to_contain_text("Aucun café.")
    a_venir.get_by_role("spinbutton", name=re.compile(r"^Nombre de mois\b")).fill("4")
    # The rule's next twelve dates are offered, all checked.
    for jour in (PREMIER_CAFE, "jeudi 18 avril 2030", "jeudi 16 mai 2030", "jeudi 20 juin 2030"):
        expect(a_venir.get_by_role("checkbox", name=jour)).to_be_checked()
    a_venir.get_by_role("checkbox", name="jeudi 18 avril 2030").uncheck()
    a_venir.get_by_role("button", name="Programmer les prochains cafés").click()

    expect(
        message_affiche(
            page,
            "3 cafés programmés\u00a0: jeudi 21 mars 2030, jeudi 16 mai 2030, jeudi 20 juin 2030.",
        )
    ).to_be_visible()
    # What was left out, and why.
    expect(
        message_affiche(page, "Jeudi 18 avril 2030 non programmé\u00a0: date décochée.")
    ).to_be_visible()
    expect(message_affiche(page, "7 dates cochées au-delà des 4 mois choisis")).to_be_visible()
    tableau = a_venir.get_by_role("table", name="Cafés à venir")
    expect(tableau.get_by_role("rowheader")).to_have_text(
        [PREMIER_CAFE, "jeudi 16 mai 2030", "jeudi 20 juin 2030"]
    )
    for jour in (PREMIER_CAFE, "jeudi 16 mai 2030", "jeudi 20 juin 2030"):
        expect(ligne(tableau, jour).get_by_role("cell")).to_have_text(
            ["Ludothèque des Quatre Vents", "Généraliste", "Prévu"]
        )
    # The unchecked date is still offered, for later, and stays unchecked.
    ecartee = a_venir.get_by_role("checkbox", name="jeudi 18 avril 2030 (écartée la dernière fois)")
    expect(ecartee).not_to_be_checked()

    # --- The first café: who is invited, then the invitations ----------------------------
    tableau.get_by_role("link", name=PREMIER_CAFE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Café du {PREMIER_CAFE}")
    infos = page.get_by_role("region", name="Le café", exact=True)
    expect(infos).to_contain_text("Ludothèque des Quatre Vents")
    expect(infos).to_contain_text("8 rue Montesquieu, 47000 Agen")
    cercle = page.get_by_role("region", name="Qui sera invité")
    expect(cercle).to_contain_text("3 organisations, 4 contacts à inviter.")
    organisations = cercle.get_by_role("table")
    expect(organisations.get_by_role("rowheader")).to_have_text(
        ["Ludothèque des Quatre Vents", "Maison des solidarités", "Secours populaire d'Agen"]
    )
    expect(ligne(organisations, "Maison des solidarités")).to_contain_text("Awa Diallo, Paul Roche")
    expect(organisations).not_to_contain_text("Caisse d'allocations familiales")

    invitations = page.get_by_role("region", name="Invitations", exact=True)
    expect(invitations).to_contain_text("Aucune invitation envoyée pour l'instant.")
    assert mailoutbox == []
    invitations.get_by_role("link", name="Envoyer les invitations").click()
    # The sending asks first: how many, the email as it reads, a personal message.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Envoyer les invitations")
    expect(page.locator("#invitations-nombre")).to_contain_text("4 personnes reçoivent")
    page.get_by_role("textbox", name=re.compile(r"^Message personnel")).fill(MOT)
    page.get_by_role("button", name="Voir l'aperçu avec mon message").click()
    expect(page.get_by_role("region", name="Le courriel")).to_contain_text(MOT)
    for taille in (TELEPHONE, ORDINATEUR):
        page.set_viewport_size(taille)
        assert page.evaluate("document.documentElement.scrollWidth") <= taille["width"]
    assert mailoutbox == []
    page.get_by_role("button", name="Envoyer les 4 invitations").click()

    expect(message_affiche(page, "4 invitations partent")).to_be_visible()
    expect(invitations).to_contain_text("4 sur 4 envoyées")
    expect(invitations.get_by_role("progressbar")).to_have_count(0)
    reponses = invitations.get_by_role("table")
    # Invited, yes, no, maybe, no answer, walk-ins.
    expect(ligne(reponses, "Ludothèque des Quatre Vents").get_by_role("cell")).to_have_text(
        ["1", "0", "0", "0", "1", "0"]
    )
    expect(ligne(reponses, "Maison des solidarités").get_by_role("cell")).to_have_text(
        ["2", "0", "0", "0", "2", "0"]
    )
    expect(ligne(reponses, "Secours populaire d'Agen").get_by_role("cell")).to_have_text(
        ["1", "0", "0", "0", "1", "0"]
    )
    expect(ligne(reponses, "Total").get_by_role("cell")).to_have_text(
        ["4", "0", "0", "0", "4", "0"]
    )
    expect(infos).to_contain_text("Invitations envoyées")

    assert len(mailoutbox) == 4
    assert sorted(m.to[0] for m in mailoutbox) == [
        "awa@mds.test",
        "ines@ludo.test",
        "marc@secours.test",
        "paul@mds.test",
    ]
    assert {m.subject for m in mailoutbox} == {f"Invitation : {SERIE}, jeudi 21 mars"}
    assert all(MOT in m.body for m in mailoutbox)

    # Two partners answer (their side is test_cafe_partenaire's).
    Invitation.objects.filter(contact=annuaire["awa"]).update(reponse=Reponse.OUI)
    Invitation.objects.filter(contact=annuaire["ines"]).update(reponse=Reponse.PEUT_ETRE)

    # --- A new place, once people are invited: the edit asks first -----------------------
    page.get_by_role("link", name="Modifier le café").click()
    adresse = page.get_by_role("textbox", name=re.compile(r"^Adresse\b"))
    adresse.fill(SALLE)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Modifier le café du {PREMIER_CAFE}")
    expect(page.locator("#changements")).to_contain_text(f"8 rue Montesquieu, 47000 Agen → {SALLE}")
    expect(page.locator("#modification-nombre")).to_contain_text("4 personnes déjà invitées")
    expect(page.get_by_role("region", name="Le courriel")).to_contain_text(
        f"Adresse\u00a0: {SALLE}"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= ORDINATEUR["width"]
    # Back to the form: what was typed is still there, and nothing is saved yet.
    page.get_by_role("button", name="Revenir au formulaire").click()
    expect(adresse).to_have_value(SALLE)
    expect(page.get_by_role("button", name="Enregistrer")).to_be_visible()
    assert len(mailoutbox) == 4
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("button", name="Enregistrer et prévenir les 4 personnes").click()
    expect(message_affiche(page, "4 personnes déjà invitées sont prévenues.")).to_be_visible()
    expect(infos).to_contain_text(SALLE)
    changements = mailoutbox[4:]
    assert sorted(m.to[0] for m in changements) == sorted(m.to[0] for m in mailoutbox[:4])
    assert {m.subject for m in changements} == {f"Changement\u00a0: {SERIE}, jeudi 21 mars"}
    assert all(SALLE in m.body for m in changements)

    # --- The day: check-in on a phone -----------------------------------------------------
    time_machine.move_to("2030-03-21 08:50+01:00")
    page.set_viewport_size(TELEPHONE)
    se_connecter(salarie_user)
    page.get_by_role("button", name="Afficher ou masquer la navigation").click()
    navigation.get_by_role("link", name="Cafés partenaires").click()
    page.get_by_role("link", name=SERIE).click()
    page.get_by_role("link", name=PREMIER_CAFE).click()
    page.get_by_role("link", name="Pointage des présences").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pointage des présences")
    compteur = page.get_by_role("status").filter(has_text=re.compile(r"\d+ organisation"))
    # (Zero takes the plural here: the French msgids fall back on English plural rules.)
    expect(compteur).to_have_text(re.compile(r"^\s*0 présents?,\s+0 organisations?\s*$"))
    attendus = page.get_by_role("region", name="Attendus")
    expect(attendus.get_by_role("listitem")).to_have_count(2)
    expect(attendus).to_contain_text("Awa Diallo")
    expect(attendus).to_contain_text("Inès Martin")
    autres = page.get_by_role("region", name="Autres invités")
    expect(autres).to_contain_text("Paul Roche")
    expect(autres).to_contain_text("Marc Petit")

    attendus.get_by_role("button", name="Noter la présence\u00a0: Awa Diallo").click()
    expect(message_affiche(page, "Présence notée\u00a0: Awa Diallo.")).to_be_visible()
    expect(compteur).to_have_text("1 présent, 1 organisation")
    awa = attendus.get_by_role("listitem").filter(has_text="Awa Diallo")
    expect(awa.get_by_text("présence notée", exact=True)).to_be_visible()
    expect(awa.get_by_role("button", name="Annuler la présence\u00a0: Awa Diallo")).to_be_visible()

    # Someone came without an invitation, from an organisation not in the directory.
    page.get_by_role("link", name="Ajouter une personne venue sans invitation").click()
    sans_invitation = page.get_by_role("region", name="Ajouter une personne venue sans invitation")
    sans_invitation.get_by_label("Prénom").fill("Karim")
    sans_invitation.get_by_role("textbox", name=re.compile(r"^Nom\b")).fill("Benali")
    sans_invitation.get_by_label("nouvelle organisation").fill("Banque alimentaire 47")
    sans_invitation.get_by_label("Adresse électronique").fill("karim@ba47.test")
    sans_invitation.get_by_role("button", name="Ajouter et noter la présence").click()

    expect(
        message_affiche(page, "Personne ajoutée, présence notée\u00a0: Karim Benali.")
    ).to_be_visible()
    expect(compteur).to_have_text("2 présents, 2 organisations")
    karim = attendus.get_by_role("listitem").filter(has_text="Karim Benali")
    expect(karim).to_contain_text("présence sans invitation")
    expect(karim.get_by_text("présence notée", exact=True)).to_be_visible()
    # Nothing overflows sideways on the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= TELEPHONE["width"]

    # --- After the café: the tour de table ------------------------------------------------
    time_machine.move_to("2030-03-21 11:00+01:00")
    page.set_viewport_size(ORDINATEUR)
    page.get_by_role("link", name="Café du 21/03/2030").click()
    # Checking people in on the day marked the café as held.
    expect(page.get_by_role("region", name="Le café")).to_contain_text("Tenu")
    apres = page.get_by_role("region", name="Le jour même et après")
    # Invited (walk-ins apart), yes, present, organisations present, new organisations.
    expect(apres.get_by_role("cell")).to_have_text(["4", "1", "2", "2", "2"])
    apres.get_by_role("link", name="Tour de table").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tour de table du {PREMIER_CAFE}")
    notes = page.get_by_role("region", name="Ce que chaque organisation a partagé")
    expect(notes.get_by_role("textbox")).to_have_count(2)
    notes.get_by_role("textbox", name="Maison des solidarités").fill(NOTE_MDS)
    notes.get_by_role("button", name="Enregistrer le tour de table").click()
    expect(message_affiche(page, "Le tour de table est enregistré.")).to_be_visible()
    expect(notes.get_by_role("textbox", name="Maison des solidarités")).to_have_value(NOTE_MDS)
    expect(notes.get_by_role("textbox", name="Banque alimentaire 47")).to_have_value("")

    # --- The compte rendu: assembled, edited, sent ----------------------------------------
    notes.get_by_role("link", name="Compte rendu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Compte rendu du café du {PREMIER_CAFE}"
    )
    expect(page.get_by_role("region", name="Pas encore de compte rendu")).to_be_visible()
    page.get_by_role("button", name="Assembler depuis le tour de table").click()
    expect(message_affiche(page, "Le compte rendu est assemblé")).to_be_visible()
    texte = page.get_by_role("textbox", name=re.compile(r"^Texte du compte rendu\b"))
    assemble = "\n".join(
        [
            f"{SERIE} — {PREMIER_CAFE}, 9\u00a0h – 10\u00a0h\u00a030",
            f"Accueil\u00a0: Ludothèque des Quatre Vents, {SALLE}",
            "",
            "Présents : 2 organisations (Banque alimentaire 47, Maison des solidarités)",
            "",
            f"Maison des solidarités — {NOTE_MDS}",
        ]
    )
    expect(texte).to_have_value(assemble)

    texte.fill(f"{assemble}\n\n{AJOUT}")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    expect(message_affiche(page, "Le compte rendu est enregistré.")).to_be_visible()
    expect(texte).to_have_value(f"{assemble}\n\n{AJOUT}")

    envoi = page.get_by_role("region", name="Envoi aux personnes invitées")
    # The walk-in gave an address: the minutes reach him too.
    expect(envoi).to_contain_text("5 personnes invitées ne l'ont pas encore reçu.")
    envoi.get_by_role("link", name="Envoyer le compte rendu").click()
    # Asked first: how many, and the email as it reads.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Envoyer le compte rendu")
    expect(page.get_by_role("region", name="Le courriel")).to_contain_text(AJOUT)
    assert len(mailoutbox) == 8
    page.get_by_role("button", name="Envoyer à 5 personnes").click()
    expect(message_affiche(page, "Le compte rendu part à 5 personnes.")).to_be_visible()
    expect(envoi).to_contain_text(re.compile(r"Envoyé le 21 mars 2030 à 11:\d\d à 5 personnes\."))
    expect(envoi).to_contain_text("Aucune personne invitée n'attend le compte rendu.")
    expect(envoi.get_by_role("button")).to_have_count(0)

    assert len(mailoutbox) == 8 + 5
    comptes_rendus = mailoutbox[8:]
    assert sorted(m.to[0] for m in comptes_rendus) == [
        "awa@mds.test",
        "ines@ludo.test",
        "karim@ba47.test",
        "marc@secours.test",
        "paul@mds.test",
    ]
    for message in comptes_rendus:
        assert message.subject == f"Compte rendu : {SERIE}, 21 mars 2030"
        assert NOTE_MDS in message.body
        assert AJOUT in message.body
        assert [piece[0] for piece in message.attachments] == ["compte-rendu-cafe-2030-03-21.pdf"]
    assert journal == []
