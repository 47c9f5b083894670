"""The cycle collector in a serving process.

A full collection walks every object the process holds. After startup most of them live as long
as the process (modules, routes, schemas, the store's objects): about 146,000 objects, which made
each full collection pause a request for 40-50 ms (seen as the p99 of view reads). Moving them
out of the collector's reach once started (``gc.freeze``) leaves it the objects made since; those
are still freed by their reference counts, and cycles among them still collected.
"""

from __future__ import annotations

import gc

from fastapi import FastAPI

#: Full collections only after this many collections of the middle generation (Python's
#: default: 10). What a server makes after startup (decoded streams in the event cache,
#: for a Talks of 5,000 events) still makes a full collection take about 7 ms (6.8 ms seen
#: on the 20,000-event bench store); one in 600 reads rather than one in 60 keeps it off the
#: p99 (view reads: p99 12-13 ms to 8-9 ms). Cycles among
#: short-lived objects are still collected by the younger generations.
FULL_EVERY = 100


def freeze_startup() -> None:
    """Collect what startup left as garbage, then exempt the survivors from later collections
    (they are never garbage-collected as cycles: only for objects that live as long as the
    process, so call it once, in a serving process, after its app is built)."""
    gc.collect()
    gc.freeze()
    first, second, _ = gc.get_threshold()
    gc.set_threshold(first, second, FULL_EVERY)


def frozen_app() -> FastAPI:
    """The app of one of several API processes (uvicorn's factory), its startup frozen."""
    from api.app import create_app

    app = create_app()
    freeze_startup()
    return app
