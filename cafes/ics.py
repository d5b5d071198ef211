"""The calendar invitation (.ics, RFC 5545) attached to the café emails.

One event per café, whose ``UID`` (``<cafe.uid>@maillage``) never changes: a calendar that
receives a higher ``SEQUENCE`` for the same UID replaces the earlier event, a
``METHOD:CANCEL`` removes it, and a ``METHOD:REQUEST`` with a higher ``SEQUENCE`` after a
cancellation puts it back (RFC 5546, 3.2.2 and 3.2.5). Times are local to Europe/Paris with
their ``VTIMEZONE``, so that a café at 9:00 stays at 9:00 across daylight saving changes.

The file is the same for every invitee: it carries no token, no personal link and no
address of a person (mail clients forward attachments freely).
"""

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

METHODES = ("PUBLISH", "REQUEST", "CANCEL")


def cafe_uid(cafe):
    return f"{cafe.uid}@maillage"


def cafe_resume(cafe):
    # A series is usually named "Café partenaires de Montanou": the name alone says it all.
    nom = cafe.serie.nom
    return nom if "café" in nom.casefold() else f"Café partenaires\u00a0: {nom}"


def _description(cafe):
    hote = cafe.hote.nom if cafe.hote_id else cafe.centre.nom
    lignes = [f"Accueil : {hote}", f"Type : {cafe.get_type_display()}"]
    if cafe.theme_id:
        lignes.append(f"Thème : {cafe.theme}")
    lignes.append(f"Organisation : {cafe.centre.nom}.")
    return "\n".join(lignes)


def cafe_ics(cafe, *, method="PUBLISH"):
    """The .ics of ``cafe`` as bytes: ``METHOD`` ``PUBLISH`` (invitation, update),
    ``REQUEST`` (a cancelled café held after all) or ``CANCEL`` (cancellation), ``SEQUENCE``
    as stored on the café, status CANCELLED for a cancellation. The caller raises
    ``cafe.sequence`` before sending a change."""
    if method not in METHODES:
        raise ValueError(f"Unknown METHOD {method!r}.")
    calendrier = Calendar()
    calendrier.add("prodid", "-//Maillage//Cafés partenaires//FR")
    calendrier.add("version", "2.0")
    calendrier.add("method", method)

    evenement = Event()
    evenement.add("uid", cafe_uid(cafe))
    evenement.add("sequence", cafe.sequence)
    evenement.add("dtstamp", timezone.now())
    evenement.add("dtstart", cafe.debut)
    evenement.add("dtend", cafe.fin)
    evenement.add("summary", cafe_resume(cafe))
    evenement.add("location", cafe.adresse)
    evenement.add("description", _description(cafe))
    evenement.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    # RFC 5546 wants an ORGANIZER: the centre's name, with no address of a person behind it.
    organisateur = vCalAddress("mailto:ne-pas-repondre@maillage.invalid")
    organisateur.params["cn"] = vText(cafe.centre.nom)
    evenement.add("organizer", organisateur)
    calendrier.add_component(evenement)
    calendrier.add_missing_timezones()
    return calendrier.to_ical()
