"""After the café: the tour de table, the compte rendu (minutes) and the café's figures.

- The tour de table holds one ``NoteTourDeTable`` per organisation (present ones, plus any
  already noted); ``notes_enregistrer`` saves them all at once.
- ``compte_rendu_assembler`` builds the minutes from the notes; staff edit the text, then
  ``compte_rendu_envoyer`` emails it through the outbox, with the PDF attached, to every
  invitation of the café whose contact may still receive email. Like the reminders of
  ``cafes.invitations``, the minutes have no column on ``Invitation``: they are the outbox row
  about the invitation whose headers carry ``X-Maillage-Modele: cafes/emails/compte_rendu``,
  so sending again only reaches invitations that have none.
- ``cafes_chiffres`` / ``cafe_chiffres`` and ``serie_chiffres_partenaires``: the figures,
  aggregated in SQL (one query each, whatever the number of cafés).
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cafes.calendrier import heure
from cafes.enums import Reponse, StatutCafe
from cafes.invitations import EN_TETE_MODELE, invitations_deja_servies
from cafes.models import Cafe, CompteRendu, Invitation, NoteTourDeTable
from cafes.rsvp import en_tetes_desinscription, lien_desinscription
from commun.pdf import pdf_rendre
from courrier.services import courriel_preparer, courriels_groupes
from partenariats.models import Partenaire

logger = logging.getLogger(__name__)

GABARIT_COMPTE_RENDU = "cafes/emails/compte_rendu"


def _joignables():
    return Q(contact__desinscrit_le__isnull=True) & ~Q(contact__email="")


# --- Tour de table --------------------------------------------------------------------------


def organisations_tour_de_table(cafe):
    """The organisations of the tour de table: those with someone present, and those already
    noted (a note stays visible even if the attendance was corrected), by name."""
    return Partenaire.objects.filter(
        Q(pk__in=cafe.invitations.filter(present=True).values("contact__partenaire_id"))
        | Q(pk__in=cafe.notes.values("partenaire_id"))
    ).order_by("nom", "pk")


@transaction.atomic
def notes_enregistrer(*, cafe, textes):
    """Saves the tour de table in one go. ``textes`` maps partner ids (of
    ``organisations_tour_de_table``) to their text: a text creates or updates the note, an
    empty one deletes it. Returns ``(creees, modifiees, supprimees)``."""
    # The café row is locked: two saves at once (two tabs) run one after the other.
    Cafe.objects.select_for_update(of=("self",)).filter(pk=cafe.pk).first()
    existantes = {note.partenaire_id: note for note in cafe.notes.all()}
    creees = modifiees = supprimees = 0
    for partenaire_id, texte in textes.items():
        texte = (texte or "").strip()
        note = existantes.get(partenaire_id)
        if not texte:
            if note is not None:
                note.delete()
                supprimees += 1
        elif note is None:
            NoteTourDeTable.objects.create(cafe=cafe, partenaire_id=partenaire_id, texte=texte)
            creees += 1
        elif note.texte != texte:
            note.texte = texte
            note.save(update_fields=["texte", "modifie_le"])
            modifiees += 1
    return creees, modifiees, supprimees


# --- Compte rendu ---------------------------------------------------------------------------


def compte_rendu_texte(cafe):
    """The minutes assembled from the tour de table: a heading with the café (date, host,
    address), the organisations present, then one paragraph per organisation noted."""
    from django.utils.formats import date_format

    hote = cafe.hote.nom if cafe.hote else cafe.centre.nom
    presentes = list(
        Partenaire.objects.filter(
            pk__in=cafe.invitations.filter(present=True).values("contact__partenaire_id")
        ).order_by("nom", "pk")
    )
    lignes = [
        _("%(serie)s — %(date)s, %(debut)s – %(fin)s")
        % {
            "serie": cafe.serie.nom,
            "date": date_format(cafe.date, "l j F Y"),
            "debut": heure(cafe.heure_debut),
            "fin": heure(cafe.heure_fin),
        },
        _("Accueilli par %(hote)s, %(adresse)s") % {"hote": hote, "adresse": cafe.adresse},
        "",
        ngettext(
            "Présents : %(nombre)d organisation",
            "Présents : %(nombre)d organisations",
            len(presentes),
        )
        % {"nombre": len(presentes)}
        + (" (" + ", ".join(p.nom for p in presentes) + ")" if presentes else ""),
    ]
    for note in cafe.notes.select_related("partenaire").order_by("partenaire__nom", "pk"):
        lignes += ["", f"{note.partenaire.nom} — {note.texte.strip()}"]
    return "\n".join(lignes)


def compte_rendu_assembler(*, cafe):
    """Creates the café's minutes from the tour de table; returns ``(compte_rendu, cree)``.
    Existing minutes (perhaps edited) are never overwritten."""
    return CompteRendu.objects.get_or_create(
        cafe=cafe, defaults={"texte": compte_rendu_texte(cafe)}
    )


def compte_rendu_pdf(compte_rendu):
    """The minutes as an A4 PDF (``commun.pdf``: only our own static files are loaded)."""
    return pdf_rendre(
        "cafes/pdf/compte_rendu.html", {"cafe": compte_rendu.cafe, "compte_rendu": compte_rendu}
    )


def nom_du_pdf(cafe):
    return f"compte-rendu-cafe-{cafe.date:%Y-%m-%d}.pdf"


def _deja_envoyes(invitations):
    return invitations_deja_servies(invitations, GABARIT_COMPTE_RENDU)


def compte_rendu_destinataires(cafe):
    """``(a_envoyer, deja)``: the reachable invitations not yet sent the minutes, and the
    number already sent them."""
    invitations = list(
        cafe.invitations.filter(_joignables()).select_related("contact").order_by("pk")
    )
    deja = _deja_envoyes(invitations)
    return [i for i in invitations if i.pk not in deja], len(deja)


@transaction.atomic
def compte_rendu_envoyer(*, cafe, par):
    """Emails the minutes (text, HTML, PDF attached) to every invitation of the café whose
    contact may receive email and has not received them yet; sets ``envoye_le``. The minutes
    row is locked, so two clicks send once. Returns the number of emails prepared. Raises
    ``ValidationError`` when there are no minutes."""
    compte_rendu = (
        CompteRendu.objects.select_for_update(of=("self",))
        .select_related("cafe__serie", "cafe__centre", "cafe__hote")
        .filter(cafe=cafe)
        .first()
    )
    if compte_rendu is None or not compte_rendu.texte.strip():
        raise ValidationError(_("Il n'y a pas encore de compte rendu à envoyer."))
    cafe = compte_rendu.cafe
    a_envoyer, _deja = compte_rendu_destinataires(cafe)
    if not a_envoyer:
        return 0
    pieces = [(nom_du_pdf(cafe), compte_rendu_pdf(compte_rendu), "application/pdf")]
    envoyes = 0
    with courriels_groupes():
        for invitation in a_envoyer:
            contact = invitation.contact
            desinscription = lien_desinscription(contact)
            try:
                courriel_preparer(
                    destinataire=contact.email,
                    gabarit=GABARIT_COMPTE_RENDU,
                    contexte={
                        "cafe": cafe,
                        "compte_rendu": compte_rendu,
                        "contact": contact,
                        "lien_desinscription": desinscription,
                    },
                    centre=cafe.centre,
                    objet=invitation,
                    en_tetes={
                        **en_tetes_desinscription(desinscription),
                        EN_TETE_MODELE: GABARIT_COMPTE_RENDU,
                    },
                    pieces_jointes=pieces,
                )
            except ValidationError as exc:
                logger.warning("Minutes to invitation %s skipped: %s", invitation.pk, exc)
                continue
            envoyes += 1
    compte_rendu.envoye_le = timezone.now()
    compte_rendu.save(update_fields=["envoye_le"])
    logger.info("Café %s: %s sent the minutes to %d invitation(s)", cafe.pk, par, envoyes)
    return envoyes


# --- Figures --------------------------------------------------------------------------------


VIDE = {"invites": 0, "oui": 0, "presents": 0, "organisations": 0, "nouvelles": 0}


def cafes_chiffres(cafes):
    """``{cafe_id: figures}`` for the given ``Cafe`` instances (one query): ``invites``
    (invitations, walk-ins apart), ``oui``, ``presents``, ``organisations`` present, and
    ``nouvelles``: organisations present for the first time in the café's series (present at
    no earlier café of it)."""
    anterieure = Invitation.objects.filter(
        present=True,
        contact__partenaire_id=OuterRef("contact__partenaire_id"),
        cafe__serie_id=OuterRef("cafe__serie_id"),
        cafe__date__lt=OuterRef("cafe__date"),
    )
    lignes = (
        Invitation.objects.filter(cafe__in=cafes)
        .order_by()
        .values("cafe_id")
        .annotate(
            invites=Count("pk", filter=Q(sur_place=False)),
            oui=Count("pk", filter=Q(reponse=Reponse.OUI)),
            presents=Count("pk", filter=Q(present=True)),
            organisations=Count("contact__partenaire_id", distinct=True, filter=Q(present=True)),
            nouvelles=Count(
                "contact__partenaire_id",
                distinct=True,
                filter=Q(present=True) & ~Exists(anterieure),
            ),
        )
    )
    resultat = {ligne.pop("cafe_id"): ligne for ligne in lignes}
    return {cafe.pk: resultat.get(cafe.pk, dict(VIDE)) for cafe in cafes}


def cafe_chiffres(cafe):
    """The figures of one café (see ``cafes_chiffres``)."""
    return cafes_chiffres([cafe])[cafe.pk]


def serie_chiffres_partenaires(serie, annee, jusqu_au=None):
    """Per partner, over the series' cafés of ``annee`` held until ``jusqu_au`` (today by
    default; cancelled cafés apart), in one query: ``invites`` (cafés to which at least one
    of its contacts was invited), ``venus`` (cafés where at least one was present) and
    ``taux`` (percent, None when never invited), by name."""
    jusqu_au = jusqu_au or timezone.localdate()
    lignes = (
        Invitation.objects.filter(
            cafe__serie=serie, cafe__date__year=annee, cafe__date__lte=jusqu_au
        )
        .exclude(cafe__statut=StatutCafe.ANNULE)
        .order_by()
        .values("contact__partenaire_id", nom=F("contact__partenaire__nom"))
        .annotate(
            invites=Count("cafe_id", distinct=True, filter=Q(sur_place=False)),
            venus=Count("cafe_id", distinct=True, filter=Q(present=True)),
        )
        .order_by("nom", "contact__partenaire_id")
    )
    resultat = []
    for ligne in lignes:
        ligne["taux"] = round(100 * ligne["venus"] / ligne["invites"]) if ligne["invites"] else None
        resultat.append(ligne)
    return resultat


def serie_chiffres(serie, aujourdhui=None):
    """What ``cafes/_chiffres_serie.html`` shows: the past cafés (newest first, cancelled ones
    apart) with their figures, and the partners' figures of the current year. Three queries."""
    aujourdhui = aujourdhui or timezone.localdate()
    passes = list(
        serie.cafes.filter(date__lt=aujourdhui)
        .exclude(statut=StatutCafe.ANNULE)
        .select_related("hote")
        .order_by("-date")
    )
    chiffres = cafes_chiffres(passes)
    return {
        "cafes": [(cafe, chiffres[cafe.pk]) for cafe in passes],
        "annee": aujourdhui.year,
        "partenaires": serie_chiffres_partenaires(serie, aujourdhui.year, aujourdhui),
    }
