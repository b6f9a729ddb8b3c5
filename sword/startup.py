"""What a server process loads before its first request, rather than during it.

A worker's first requests paid for loading things every worker needs sooner or later: the Redis
client library (Django's Redis cache imports it on first use, about 100 ms, and the survey's
rate limits use the cache on its first page), Plotly's figure classes and default template (on
a dashboard's first chart, about 70 ms) and each of our HTML templates compiled on first use
(about 100 ms over a dashboard's templates); one that does not compile now stops the worker
from starting rather than failing its pages. The URLconf too: Django imports it, and with it
every view module, on the first request, and builds each language's table of URL names on
the first link it draws (100–200 ms together). Loaded as the WSGI module loads, they are also
frozen out of the garbage collector's passes with the rest of the application
(`sword.collector`).
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation


def load_before_requests() -> None:
    """Import the cache's client, load Plotly's figure, compile our templates, read the
    translation catalogues and import the URLconf with each language's names. Connects to
    nothing: a cache or database that is down at start fails the first request that needs it,
    as before."""
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        importlib.import_module("redis")

    from dashboards.charts import default_template

    default_template()
    templates = settings.BASE_DIR / "templates"
    for path in sorted(templates.rglob("*.html")):
        get_template(path.relative_to(templates).as_posix())
    for code, _name in settings.LANGUAGES:
        translation.activate(code)  # reads the language's catalogues
        reverse("home")  # imports the URLconf, and builds this language's names
    translation.deactivate()
