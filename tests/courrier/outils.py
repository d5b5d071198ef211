"""Helpers shared by the courrier tests."""

import datetime
from contextlib import contextmanager
from unittest import mock

from django.core.mail.backends.locmem import EmailBackend

MAINTENANT = datetime.datetime(2025, 3, 14, 9, 30, tzinfo=datetime.UTC)


@contextmanager
def pannes(*erreurs):
    """The mail backend raises ``erreurs`` in turn, then delivers (to the locmem outbox)."""
    restantes = list(erreurs)
    envoyer = EmailBackend.send_messages

    def send_messages(self, messages):
        if restantes:
            raise restantes.pop(0)
        return envoyer(self, messages)

    with mock.patch.object(EmailBackend, "send_messages", autospec=True, side_effect=send_messages):
        yield
