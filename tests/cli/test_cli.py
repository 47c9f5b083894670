"""The real command line, run as a subprocess: load-demo and serve."""

from __future__ import annotations

import subprocess

import httpx
import pytest
from helpers import CLI, cli_env, cli_store_args, event_count, run_cli, running_server

from application.demo import FACTS, TALKS_ID
from application.demo_actors import ACTORS
from application.demo_fonseca import data_lines
from store.settings import Settings


def test_the_cli_script_is_installed_next_to_the_interpreter() -> None:
    assert CLI.is_file()


@pytest.mark.slow
def test_load_demo_loads_every_fact_then_says_it_is_already_loaded(settings: Settings) -> None:
    first = run_cli("load-demo", settings=settings)
    count_after_first = event_count(settings)

    second = run_cli("load-demo", settings=settings)

    assert first.returncode == 0, first.stderr
    # Each fact of the article, each actor it names, each title it gives them; the second set.
    expected = len(FACTS) + sum(1 + len(actor.roles) for actor in ACTORS) + len(data_lines())
    assert f"{expected} new events" in first.stdout + first.stderr
    assert count_after_first == expected
    assert second.returncode == 0, second.stderr
    assert "already loaded" in (second.stdout + second.stderr).lower()
    assert event_count(settings) == count_after_first


@pytest.mark.slow
def test_serve_on_an_empty_store_loads_the_demo_and_serves_it(settings: Settings) -> None:
    with running_server(settings, load_demo=True, ready_path=f"/talks/{TALKS_ID}") as base_url:
        talks = httpx.get(f"{base_url}/talks/{TALKS_ID}", timeout=10)
        log = httpx.get(f"{base_url}/events", params={"limit": 1000}, timeout=10)

    assert talks.status_code == 200, talks.text
    assert talks.json()["title"] == "Russia–Ukraine direct talks, Istanbul"
    seed = len(FACTS) + sum(1 + len(a.roles) for a in ACTORS)
    assert len(log.json()["events"]) == seed + len(data_lines())


@pytest.mark.slow
def test_serve_does_not_load_the_demo_when_told_not_to(settings: Settings) -> None:
    with running_server(settings, load_demo=False) as base_url:
        talks = httpx.get(f"{base_url}/talks/{TALKS_ID}", timeout=10)
        head = httpx.get(f"{base_url}/events", timeout=10).json()["head"]

    assert talks.status_code == 404
    assert talks.headers["content-type"] == "application/problem+json"
    assert head == 0


@pytest.mark.slow
def test_serve_on_a_store_with_the_demo_loads_nothing_again(settings: Settings) -> None:
    assert run_cli("load-demo", settings=settings).returncode == 0
    before = event_count(settings)

    with running_server(settings, load_demo=True, ready_path=f"/talks/{TALKS_ID}") as base_url:
        head = httpx.get(f"{base_url}/events", timeout=10).json()["head"]

    assert head == before
    assert event_count(settings) == before


def test_a_bad_setting_is_named_without_a_traceback_and_nothing_starts(settings: Settings) -> None:
    env = cli_env(load_demo=False) | {"NT_FOLLOWER": "elsewhere", "NT_THREADS": "many"}
    done = subprocess.run(
        [str(CLI), "serve", "--port", "1", *cli_store_args(settings)],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "bad setting" in done.stderr
    assert "NT_FOLLOWER" in done.stderr
    assert "'thread' or 'process'" in done.stderr
    assert "NT_THREADS" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Serving" not in done.stderr + done.stdout
