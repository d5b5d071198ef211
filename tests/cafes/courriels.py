"""Reading back the café emails Django's test backend caught (``mailoutbox``)."""

from email import message_from_bytes

from icalendar import Calendar


def calendrier(message):
    """The METHOD and the VEVENT of the .ics attached to a sent message, from its MIME."""
    mime = message_from_bytes(message.message().as_bytes())
    (partie,) = [p for p in mime.walk() if p.get_content_type() == "text/calendar"]
    assert partie.get_filename() == "invitation.ics"
    cal = Calendar.from_ical(partie.get_payload(decode=True))
    (vevent,) = cal.walk("VEVENT")
    return partie.get_param("method"), cal, vevent


def html(message):
    (alternative,) = message.alternatives
    return alternative[0]
