"""What the benchmark measures: pages and jobs registered by ``bench/scenarios/<app>.py``.

A *builder* takes a scale (an integer: the number of rows of the main object, e.g. 200 or 2000),
creates that data with ``bulk_create`` and returns a context dict. A page's context holds the
``"user"`` the client logs in as; a job receives the whole context.

    # bench/scenarios/partenariats.py, imported by autodiscover()
    from bench import registry

    registry.page("partenariats:liste", builder=partenaires)

    @registry.job("livret PDF", builder=partenaires)
    def livret(context):
        livret_generer(centre=context["centre"])

Each entry is measured at each scale on a fresh dataset (its builder runs inside a transaction
that is rolled back afterwards), so builders never clean up and may reuse fixed names.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from bench import scenarios

Builder = Callable[[int], dict]


@dataclass(frozen=True)
class Page:
    name: str
    builder: Builder
    # A URL name (reversed without arguments), a path, or a function of the builder's context
    # for URLs that hold an object's id.
    url: str | Callable[[dict], str]
    kind = "page"

    def path(self, context):
        if callable(self.url):
            return self.url(context)
        return self.url if self.url.startswith("/") else reverse(self.url)


@dataclass(frozen=True)
class Job:
    name: str
    builder: Builder
    run: Callable[[dict], object]
    # Minutes-long jobs run only when --only names them, so that a default run stays short.
    on_demand: bool = False
    kind = "job"


_entries: dict[str, Page | Job] = {}


def _register(entry):
    if entry.name in _entries:
        raise ValueError(f"A benchmark entry is already registered as {entry.name!r}.")
    _entries[entry.name] = entry
    return entry


def page(name, *, builder, url=None):
    """Registers a GET of ``url`` (default: the URL named ``name``) as the builder's user."""
    return _register(Page(name=name, builder=builder, url=url or name))


def job(name, *, builder, on_demand=False):
    """Decorator: registers ``function(context)`` as timed work that is not a page.

    ``on_demand`` jobs are left out of a run unless ``--only`` selects them by name.
    """

    def decorator(function):
        _register(Job(name=name, builder=builder, run=function, on_demand=on_demand))
        return function

    return decorator


def entries():
    return list(_entries.values())


def autodiscover():
    """Imports every module of ``bench.scenarios`` (idempotent)."""
    for module in pkgutil.iter_modules(scenarios.__path__):
        importlib.import_module(f"{scenarios.__name__}.{module.name}")
