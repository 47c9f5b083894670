"""``negotiation-timeline import FILE [--strict]``: the real command line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from export_support import export, fresh_store, loaded
from helpers import CLI, cli_env, cli_store_args, event_count
from typer.testing import CliRunner

from application.demo import TALKS_ID
from application.service import TimelineService
from entrypoints.cli import cli
from store.settings import Settings

COMMAND_TIMEOUT = 60
BAD_LINE = '{"type": "RoundHeld", "stream_id": "not-a-uuid"}'


def run_import(path: Path, *args: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), "import", str(path), *args, *cli_store_args(settings)],
        env=cli_env(load_demo=False),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


@pytest.fixture
def demo_export(service: TimelineService, tmp_path: Path) -> Path:
    """The demo Talks exported as CloudEvents, in a file."""
    loaded(service)
    path = tmp_path / "demo.cloudevents.jsonl"
    path.write_text(export(service, TALKS_ID, "cloudevents"), encoding="utf-8")
    return path


@pytest.mark.slow
def test_import_shows_progress_and_a_summary_and_a_second_run_appends_nothing(
    demo_export: Path, settings: Settings, tmp_path: Path
) -> None:
    count = len(demo_export.read_text(encoding="utf-8").splitlines())

    with fresh_store(settings, tmp_path) as fresh:
        first = run_import(demo_export, settings=fresh)
        after_first = event_count(fresh)
        second = run_import(demo_export, settings=fresh)
        after_second = event_count(fresh)

    assert first.returncode == 0, first.stderr
    output = first.stdout + first.stderr
    assert f"importing {demo_export.name}" in output
    assert f"{count}/{count}" in output
    assert f"{count} read, {count} appended, 0 already present, 0 bad" in output
    assert after_first == count
    assert second.returncode == 0, second.stderr
    assert f"{count} read, 0 appended, {count} already present, 0 bad" in second.stderr
    assert after_second == count


@pytest.mark.slow
def test_strict_import_of_a_file_with_a_bad_line_appends_nothing_and_exits_1(
    demo_export: Path, settings: Settings, tmp_path: Path
) -> None:
    good = demo_export.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "with-a-bad-line.jsonl"
    path.write_text("\n".join([good[0], BAD_LINE, *good[1:]]) + "\n", encoding="utf-8")

    with fresh_store(settings, tmp_path) as fresh:
        strict = run_import(path, "--strict", settings=fresh)
        after_strict = event_count(fresh)
        lenient = run_import(path, settings=fresh)
        after_lenient = event_count(fresh)

    assert strict.returncode == 1, strict.stderr
    assert "line 2:" in strict.stderr
    assert "/stream_id" in strict.stderr
    assert "Nothing appended" in strict.stderr
    assert after_strict == 0
    assert lenient.returncode == 0, lenient.stderr
    assert "line 2:" in lenient.stderr
    assert f"{len(good) + 1} read, {len(good)} appended, 0 already present, 1 bad" in (
        lenient.stderr
    )
    assert after_lenient == len(good)


def test_the_command_in_process_reports_bad_lines_and_the_summary(
    demo_export: Path, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command puts its store options into the environment; keep that within this test.
    monkeypatch.setenv("NT_DATA_DIR", str(tmp_path / "unused"))
    monkeypatch.setenv("NT_DATABASE_URL", "")
    path = tmp_path / "lines.jsonl"
    path.write_text("{}\n" + demo_export.read_text(encoding="utf-8"), encoding="utf-8")

    with fresh_store(settings, tmp_path) as fresh:
        result = CliRunner().invoke(cli, ["import", str(path), *cli_store_args(fresh)])
        imported = event_count(fresh)

    assert result.exit_code == 0, result.output
    assert "line 1: unknown event type None" in result.output
    assert "(at /type)" in result.output
    assert ", 1 bad." in result.output
    assert imported == len(demo_export.read_text(encoding="utf-8").splitlines())


def test_a_missing_file_is_refused(settings: Settings, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["import", str(tmp_path / "missing.jsonl"), *cli_store_args(settings)]
    )

    assert result.exit_code == 2
