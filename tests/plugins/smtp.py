"""Email in tests: the outbox as EMAIL_BACKEND, and a real SMTP server, ``smtp_server``.

An aiosmtpd server on a free port of 127.0.0.1 records what it receives, and the outbox's
transport (``COURRIER_EMAIL_BACKEND``) is pointed at it for the test. It can be told to refuse
recipients:

    smtp_server.respond_with("421 4.3.0 Try again later", times=3)  # the next 3 recipients
    smtp_server.respond_with("550 5.1.1 No such user")  # every recipient until reset()

The forced answer is given to RCPT TO, where real servers refuse an address: smtplib then
raises SMTPRecipientsRefused with that code. ``smtp_server.messages`` holds ``ReceivedMessage``
items (``mail_from``, ``rcpt_tos``, ``message``: an ``email.message.EmailMessage``).
"""

import email
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.attente import attendre


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    # The client's (host, port): messages with the same one came over the same connection.
    peer: tuple = ()


class RecordingHandler:
    def __init__(self):
        self._lock = threading.Lock()
        self.messages = []
        self.refusals = []
        self._reply = None
        self._times = None

    def respond_with(self, reply, *, times=None):
        """Answer ``reply`` to the next ``times`` recipients (all of them if None)."""
        code = reply.split(" ", 1)[0]
        if not (len(code) == 3 and code.isdigit() and code[0] in "45"):
            raise ValueError(f"An SMTP error reply such as '550 5.1.1 No such user', not {reply!r}")
        with self._lock:
            self._reply, self._times = reply, times

    def reset(self):
        """Accept everything again and forget what was received."""
        with self._lock:
            self._reply = self._times = None
            self.messages.clear()
            self.refusals.clear()

    def _forced_reply(self, address):
        with self._lock:
            if self._reply is None:
                return None
            reply = self._reply
            if self._times is not None:
                self._times -= 1
                if self._times <= 0:
                    self._reply = self._times = None
            self.refusals.append((address, reply))
            return reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self._forced_reply(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.messages.append(
                ReceivedMessage(
                    envelope.mail_from, list(envelope.rcpt_tos), message, tuple(session.peer)
                )
            )
        return "250 Message accepted for delivery"


class _AnyPortController(Controller):
    # Port 0 lets the OS pick a free port, with no race against parallel test runs; the
    # controller then needs the real port to check that the server answers.
    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SMTPTestServer:
    def __init__(self, handler, host, port):
        self.handler = handler
        self.host = host
        self.port = port

    @property
    def messages(self):
        return list(self.handler.messages)

    @property
    def refusals(self):
        """``(address, reply)`` for every recipient refused on purpose."""
        return list(self.handler.refusals)

    def respond_with(self, reply, *, times=None):
        self.handler.respond_with(reply, times=times)

    def reset(self):
        self.handler.reset()

    def wait_for(self, count, *, timeout=30):
        """Waits until at least ``count`` messages arrived; returns them."""
        attendre(
            lambda: len(self.handler.messages) >= count,
            timeout=timeout,
            message=lambda: f"{count} messages ({len(self.handler.messages)} received)",
        )
        return self.messages


@pytest.fixture(scope="session", autouse=True)
def _outbox_backend(django_test_environment):
    """Django's test setup replaces EMAIL_BACKEND with its in-memory backend: put the outbox
    back, so that tests take production's path (Django's mail API, then an outbox row, then
    its transport, which settings_test makes the in-memory backend)."""
    from django.conf import settings

    settings.EMAIL_BACKEND = "courrier.backends.OutboxBackend"


@pytest.fixture(scope="session")
def _smtp_controller():
    handler = RecordingHandler()
    controller = _AnyPortController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    yield SMTPTestServer(handler, controller.hostname, controller.port)
    controller.stop()


@pytest.fixture
def smtp_server(_smtp_controller, settings):
    """A running SMTP server (one per session, reset for each test) that the outbox sends to."""
    _smtp_controller.reset()
    settings.COURRIER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = _smtp_controller.host
    settings.EMAIL_PORT = _smtp_controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield _smtp_controller
    _smtp_controller.reset()
