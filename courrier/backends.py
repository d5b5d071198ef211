"""``EMAIL_BACKEND`` of Maillage: Django's mail API writes to the outbox.

``EmailMessage.send()``, ``send_mail()`` and Django's own emails become rows of the outbox, one
per recipient, in the caller's transaction (``courrier.services.courriels_depuis_message``).
They are then sent after the commit by a Celery task through ``COURRIER_EMAIL_BACKEND``,
retried, never to a suppressed address, and listed on the centre's "Courriels" page. This is
how ``reseau``, below ``courrier`` in the layers, sends its emails without importing it.

A message may carry two attributes, which only this backend reads: ``centre`` (the centre
whose page lists the email; none for a system email) and ``objet`` (the model instance the
email is about).
"""

from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend

from courrier.services import courriels_depuis_message


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        """Returns how many messages were accepted (written, or added to the current
        ``courriels_groupes()`` block); nothing is sent before the caller's commit."""
        acceptes = 0
        for message in email_messages:
            try:
                courriels_depuis_message(message=message)
            except (ValidationError, ValueError):
                if not self.fail_silently:
                    raise
            else:
                acceptes += 1
        return acceptes
