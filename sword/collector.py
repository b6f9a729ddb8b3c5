"""How a server process sets Python's garbage collector once the application has loaded.

Everything loaded by then (Django, the apps, the catalogues) lives as long as the process, so it
is frozen out of the collector's passes, which otherwise walk it all again during requests that
make many objects (a full pass cost 120-150 ms on the structural lens). And the collector runs
less often than Python's default (700 allocations, then every 10th and 10th pass deeper): a
page that shows every team keeps a few hundred thousand objects alive until it is drawn, and
the default passes walked them again and again (the lens at 3,000 teams spent 200 of its
700 ms collecting, 14 ms with `GC_THRESHOLDS` 10000,10,100). Most of a request's garbage is
freed by reference counting as it goes; only cycles wait for the collector.
"""

from __future__ import annotations

import gc

from django.conf import settings


def settle_collector() -> None:
    """Freeze what is loaded and set the collector's thresholds (`GC_THRESHOLDS`)."""
    gc.freeze()
    gc.set_threshold(*settings.GC_THRESHOLDS)
