"""Demo Café partenaires of Montanou (see ``manage.py demo``): a series with its hosts, three
past cafés with answers, attendance, tour de table and minutes, and the next three to come.

No email is sent: past invitations are recorded as sent, upcoming cafés wait for staff.
"""

from datetime import date, timedelta

from django.utils import timezone

from cafes.calendrier import dates_serie, jours_feries
from cafes.enums import Jour, Rang, Reponse, StatutCafe
from cafes.models import Cafe, CafeSerie, CompteRendu, HoteSerie, NoteTourDeTable
from cafes.services.invitations import invitations_preparer
from cafes.services.series import cafes_generer
from partenariats.enums import CategoriePartenaire as C
from partenariats.models import Partenaire
from reseau.models import Centre

HOTES = [
    ("Centre médico-social de Montanou", "14 avenue de Montanou, 47000 Agen"),
    ("Régie de quartier Agen Montanou", "22 avenue de Montanou, 47000 Agen"),
    ("Médiathèque Lacépède", "Place Armand Fallières, 47000 Agen"),
]
CATEGORIES = [C.ASSOCIATION, C.DEPARTEMENT, C.SECURITE_SOCIALE, C.EMPLOI, C.CCAS, C.BAILLEUR]
NOTES = [
    "Présente le nouveau calendrier des permanences et cherche des relais pour l'information.",
    "Lance un atelier cuisine le mardi matin ; places pour des personnes orientées.",
    "Recrute deux volontaires en service civique pour l'aide aux devoirs.",
    "Alerte sur des impayés de loyer en hausse dans deux immeubles.",
    "Propose une journée portes ouvertes aux familles le mois prochain.",
]


def _mois_avant(jour, mois):
    annee, numero = jour.year, jour.month - mois
    while numero < 1:
        annee, numero = annee - 1, numero + 12
    return date(annee, numero, 1)


def charger(stdout):
    centre = Centre.objects.get(slug="montanou")
    serie, creee = CafeSerie.objects.get_or_create(
        centre=centre,
        nom="Café partenaires de Montanou",
        defaults={"rang": Rang.PREMIER, "jour": Jour.VENDREDI, "categories": CATEGORIES},
    )
    for ordre, (nom, adresse) in enumerate(HOTES):
        partenaire = Partenaire.objects.filter(centre=centre, nom=nom).first()
        if partenaire:
            HoteSerie.objects.get_or_create(
                serie=serie, partenaire=partenaire, defaults={"ordre": ordre, "adresse": adresse}
            )

    aujourd_hui = timezone.localdate()
    # The last three cafés before today, and those of the next five months but public holidays.
    regle = {"rang": serie.rang, "jour": serie.jour}
    passes = [
        jour
        for jour in dates_serie(**regle, a_partir_de=_mois_avant(aujourd_hui, 4), nb_mois=5)
        if jour < aujourd_hui
    ][-3:]
    for jour in passes:
        cafes_generer(serie=serie, a_partir_de=jour, nb_mois=1)
    demain = aujourd_hui + timedelta(days=1)
    feries = jours_feries(demain.year) | jours_feries(demain.year + 1)
    cafes_generer(serie=serie, a_partir_de=demain, nb_mois=5, exclues=feries)

    for cafe in Cafe.objects.filter(serie=serie, date__lt=aujourd_hui).select_related("hote"):
        _cafe_passe(cafe)
    nb_cafes = Cafe.objects.filter(serie=serie).count()
    stdout.write(f"  cafés partenaires : 1 série, {nb_cafes} cafés (passés et à venir)")


def _cafe_passe(cafe):
    """Answers, attendance, tour de table and minutes of a café that took place."""
    if cafe.statut == StatutCafe.TENU:
        return
    invitations_preparer(cafe=cafe)
    envoi = timezone.make_aware(
        timezone.datetime.combine(cafe.date - timedelta(days=10), cafe.heure_debut)
    )
    presents = set()
    for n, invitation in enumerate(cafe.invitations.select_related("contact__partenaire")):
        reponse = [Reponse.OUI, Reponse.OUI, Reponse.PEUT_ETRE, Reponse.NON, ""][n % 5]
        invitation.envoyee_le = envoi
        invitation.reponse = reponse
        invitation.repondu_le = envoi + timedelta(days=2) if reponse else None
        invitation.present = reponse == Reponse.OUI or (reponse == Reponse.PEUT_ETRE and n % 2)
        invitation.save()
        if invitation.present:
            presents.add(invitation.contact.partenaire)
    for n, partenaire in enumerate(sorted(presents, key=lambda p: p.nom)):
        NoteTourDeTable.objects.get_or_create(
            cafe=cafe, partenaire=partenaire, defaults={"texte": NOTES[n % len(NOTES)]}
        )
    lignes = [f"Café partenaires du {cafe.date:%d/%m/%Y}, {cafe.adresse}", ""]
    lignes += [f"{note.partenaire} — {note.texte}" for note in cafe.notes.all()]
    CompteRendu.objects.get_or_create(
        cafe=cafe, defaults={"texte": "\n".join(lignes), "envoye_le": envoi + timedelta(days=12)}
    )
    cafe.statut = StatutCafe.TENU
    cafe.save(update_fields=["statut"])
