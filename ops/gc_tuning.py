"""Python's garbage collector, tuned for a web worker (gunicorn.conf.py calls ``tune_for_requests`` in each worker
once the app is loaded).

With the defaults (a young collection every 700 allocations), a page of Inbound Referrals paid ~4 ms of a ~40 ms
render in collections, most of it in the full ones that walk the ~140,000 objects of the loaded app (modules,
models, URL patterns, compiled templates), which never become garbage. Frozen (``gc.freeze``: moved to a
generation the collector never scans) and with a young collection every 50,000 allocations, the same page paid
~0.7 ms (bench/NOTES.md, "Issue 18, session 14"). Reference cycles are still collected, a little later: the
memory they hold meanwhile is that of a few requests.
"""

from __future__ import annotations

import gc

# (young, middle, old): allocations before a young collection; young collections before a middle one; middle
# ones before considering a full one (which Python also defers until the long-lived objects grew by a quarter).
REQUEST_THRESHOLDS = (50_000, 20, 100)


def tune_for_requests(thresholds: tuple[int, int, int] = REQUEST_THRESHOLDS) -> None:
    """Load what the first request would (the URL patterns and the views they import), then freeze every object
    alive now out of the collector's reach and collect less often."""
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 -- imports every URLconf and view module, as the first request would
    gc.collect()  # what is garbage already is not frozen with the rest
    gc.freeze()
    gc.set_threshold(*thresholds)
