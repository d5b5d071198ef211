"""Waiting in tests for something that happens in another thread or process."""

import time


def attendre(condition, *, timeout=30, message="condition", intervalle=0.05):
    """Polls ``condition()`` until it returns a true value, which is returned; raises
    ``AssertionError`` naming ``message`` (a string, or a function giving one, e.g. a worker's
    log at that moment) after ``timeout`` seconds."""
    limite = time.monotonic() + timeout
    while not (resultat := condition()):
        if time.monotonic() > limite:
            texte = message() if callable(message) else message
            raise AssertionError(f"Still waiting after {timeout} s for: {texte}")
        time.sleep(intervalle)
    return resultat
