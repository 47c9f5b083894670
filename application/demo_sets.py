"""Every demo set, loaded in order: the seed article, its actors, the Gulf of Fonseca talks."""

from __future__ import annotations

from application.demo import load_demo
from application.demo_actors import load_demo_actors
from application.demo_fonseca import load_fonseca
from application.service import TimelineService


def load_demos(service: TimelineService) -> int:
    """Load each demo set's events not yet recorded (idempotent); returns how many were new."""
    return load_demo(service) + load_demo_actors(service) + load_fonseca(service)
