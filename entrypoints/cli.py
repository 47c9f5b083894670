"""The command line: ``negotiation-timeline serve | load-demo``."""

from __future__ import annotations

import contextlib
import logging.config
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, NoReturn

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TaskID

from api.observability import logging_config
from api.server import uvicorn_options
from application.access import KeyStore, Role
from application.components import Components
from application.demo_sets import load_demos
from entrypoints import bootstrap
from entrypoints.collector import freeze_startup
from entrypoints.follower_process import FollowerProcess
from store.migrations import SchemaError
from store.settings import Settings

cli = typer.Typer(
    help="Negotiation Timeline: sourced events of a negotiation, replayable.", no_args_is_help=True
)
console = Console(stderr=True)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (NT_DATA_DIR), default ./data")
]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Database URL (NT_DATABASE_URL)")
]
#: What ``serve`` says on a store without a live key: writes need one, and only the CLI can
#: create the first (``POST /keys`` itself needs an admin key).
FIRST_KEY_HINT = (
    "No API keys yet, and writes need one: create the first with"
    " `negotiation-timeline keys create --role admin --name <who>`"
    " (same --data-dir or --database-url as serve); it prints the key once."
)


def fail(message: str) -> NoReturn:
    """Say what is wrong, without a traceback, and exit non-zero."""
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


def open_components(settings: Settings, *, follow: bool) -> Components:
    """Open the store (retrying an unreachable database), or exit with a clear message."""
    try:
        return bootstrap.build(settings, follow=follow)
    except (bootstrap.DatabaseUnavailableError, SchemaError) as error:
        fail(str(error))


def settings_from(data_dir: Path | None, database_url: str | None) -> Settings:
    """Settings from the environment, overridden by options given on the command line.

    The overrides are put into the environment too, so that API worker processes started by
    uvicorn (``serve --workers N``) read the same settings.
    """
    if data_dir is not None:
        os.environ["NT_DATA_DIR"] = str(data_dir)
    if database_url is not None:
        os.environ["NT_DATABASE_URL"] = database_url
    try:
        return Settings()
    except ValidationError as error:
        wrong = "; ".join(
            f"NT_{'_'.join(str(part) for part in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        fail(f"bad setting: {wrong}")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=32, help="API processes")] = 1,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Serve the API; an empty store first gets the demo from the seed article."""
    settings = settings_from(data_dir, database_url)
    components = open_components(settings, follow=False)
    try:
        empty = components.service.head() == 0
        if empty and settings.load_demo_when_empty:
            count = load_demos(components.service)
            console.print(f"Empty store: loaded the demo ({count} events).")
        elif empty:
            console.print(
                "The store is empty: POST /talks, or run `negotiation-timeline load-demo`."
            )
        if not KeyStore(components.application.database).any_live():
            console.print(FIRST_KEY_HINT, soft_wrap=True)
    finally:
        components.close()
    console.print(f"Serving {settings.display_url()} on http://{host}:{port} (OpenAPI at /docs).")
    logs = logging_config()
    follower = None
    if settings.follower == "process" and settings.run_projections:
        # The API processes follow no log; the child does (entrypoints/follower_process.py).
        os.environ["NT_RUN_PROJECTIONS"] = "false"
        settings = settings.model_copy(update={"run_projections": False})
        logging.config.dictConfig(logs)
        follower = FollowerProcess()
        follower.start()
        console.print(f"Following the log in a worker process (pid {follower.pid}).")
    try:
        if workers > 1:
            uvicorn.run(
                "entrypoints.collector:frozen_app", factory=True, host=host, port=port,
                workers=workers, log_config=logs, access_log=False, **uvicorn_options(settings),
            )  # fmt: skip
        else:
            from api.app import create_app

            app = create_app(settings, on_append=None if follower is None else follower.wake)
            freeze_startup()
            uvicorn.run(
                app, host=host, port=port, log_config=logs, access_log=False,
                **uvicorn_options(settings),
            )  # fmt: skip
    finally:
        if follower is not None:
            follower.stop()


@cli.command("load-demo")
def load_demo_command(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Load the demo sets: the seed article, its actors, the Gulf of Fonseca talks (nothing is
    appended twice)."""
    components = open_components(settings_from(data_dir, database_url), follow=False)
    try:
        count = load_demos(components.service)
    finally:
        components.close()
    console.print(f"Demo loaded: {count} new events." if count else "Demo already loaded.")


@cli.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="JSON lines: API bodies with kind and stream_id, or CloudEvents (an export)",
        ),
    ],
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Check every line first; append nothing if any is bad (exit code 1)"
        ),
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import events from a file of JSON lines (application/importer.py has the format). Events already
    recorded are skipped, so importing again appends nothing; bad lines are reported by number
    and skipped, or with --strict nothing is appended."""
    from rich.markup import escape

    from application.importer import import_file

    components = open_components(settings_from(data_dir, database_url), follow=False)
    try:
        with Progress(
            *Progress.get_default_columns(), MofNCompleteColumn(), console=console
        ) as progress:
            tasks: dict[str, TaskID] = {}

            def advance(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = progress.add_task(f"{phase} {escape(file.name)}", total=total)
                progress.update(tasks[phase], completed=done, total=total)

            report = import_file(components.service, file, strict=strict, progress=advance)
    finally:
        components.close()
    for error in report.errors:
        console.print(f"[red]bad[/red] {escape(str(error))}", soft_wrap=True)
    console.print(f"Imported {escape(file.name)}: {report.summary()}.", soft_wrap=True)
    if strict and report.errors:
        if report.stopped:
            console.print(
                f"[red]Stopped[/red] at the first failure: the {report.appended} events appended"
                " before it stay; the lines after it were not imported."
            )
        else:
            console.print("[red]Nothing appended[/red]: --strict and the file has bad lines.")
        raise typer.Exit(1)


@cli.command()
def worker(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    wake_on_stdin: Annotated[
        bool,
        typer.Option(
            "--wake-on-stdin",
            hidden=True,
            help="Look at the log on each byte read from stdin; stop when it closes (the"
            " follower process of serve, NT_FOLLOWER=process)",
        ),
    ] = False,
) -> None:
    """Follow the log and keep every view up to date (beside API processes started with
    NT_RUN_PROJECTIONS=false); LISTEN/NOTIFY on PostgreSQL, polling as a fallback."""
    settings = settings_from(data_dir, database_url)
    logging.config.dictConfig(logging_config())
    components = open_components(settings, follow=True)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    if wake_on_stdin:
        threading.Thread(
            target=_woken_by_stdin, args=(components, stopping), name="wake", daemon=True
        ).start()
    console.print(f"Worker following the log of {settings.display_url()}.")
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        components.close()
        console.print("Worker stopped.")


@cli.command()
def migrate(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Create or upgrade the database schema (events, index, views); safe to run again."""
    settings = settings_from(data_dir, database_url)
    try:
        before, after = bootstrap.migrate(settings)
    except (bootstrap.DatabaseUnavailableError, SchemaError) as error:
        fail(str(error))
    if before == after:
        console.print(f"Schema of {settings.display_url()} is up to date (version {after}).")
    else:
        console.print(f"Schema of {settings.display_url()}: version {before or 'none'} -> {after}.")


ViewName = Annotated[str | None, typer.Argument(help="A view name; all views if omitted")]


@cli.command()
def rebuild(
    view: ViewName = None, data_dir: DataDir = None, database_url: DatabaseUrl = None
) -> None:
    """Rebuild views from position 0 into fresh tables, swapped in when complete."""
    components = open_components(settings_from(data_dir, database_url), follow=False)
    names = [view] if view else list(components.projector.views)
    try:
        if view is not None and view not in components.projector.views:
            console.print(
                f"[red]No view {view!r}[/red]; views: {', '.join(components.projector.views)}"
            )
            raise typer.Exit(2)
        with Progress(
            *Progress.get_default_columns(), MofNCompleteColumn(), console=console
        ) as progress:
            task = progress.add_task(
                f"rebuild {', '.join(names)}", total=components.projector.head()
            )

            def advance(position: int, head: int) -> None:
                progress.update(task, completed=position, total=head)

            # One pass over the log for all of them: each event is read and decoded once.
            try:
                position = components.projector.rebuild_views(names, progress=advance)
            except Exception as error:  # one line, not a traceback: the view says the rest
                progress.stop()
                typer.echo(f"rebuild failed: {error}".splitlines()[0], err=True)
                raise typer.Exit(1) from None
            progress.update(task, completed=position, total=max(position, 1))
        for name in names:
            console.print(f"{name}: rebuilt to position {position}.")
    finally:
        components.close()


@cli.command()
def checksum(
    view: Annotated[str, typer.Argument(help="A view name")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Print the view's position and SHA-256 digest (the same as GET /projections/NAME/checksum)."""
    components = open_components(settings_from(data_dir, database_url), follow=False)
    try:
        if view not in components.projector.views:
            console.print(f"[red]No view {view!r}[/red]")
            raise typer.Exit(2)
        position, digest = components.projector.digest(view)
        typer.echo(f"{view} {position} {digest}")
    finally:
        components.close()


keys_cli = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")


@keys_cli.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="reader, editor or admin")],
    name: Annotated[str, typer.Option(help="Whose key it is (shown in appended events)")] = "",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a key and print its token (shown once: store it now)."""
    components = open_components(settings_from(data_dir, database_url), follow=False)
    try:
        key, token = KeyStore(components.application.database).create(role, name)
    finally:
        components.close()
    console.print(f"Created {key.role} key {key.id}{f' for {name}' if name else ''}.")
    typer.echo(token)


@keys_cli.command("list")
def keys_list(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List keys (never their secrets)."""
    components = open_components(settings_from(data_dir, database_url), follow=False)
    try:
        for key in KeyStore(components.application.database).list():
            state = f"revoked {key.revoked_at}" if key.revoked_at else "live"
            typer.echo(f"{key.id}\t{key.role}\t{key.name or '-'}\t{key.created_at}\t{state}")
    finally:
        components.close()


@keys_cli.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (from keys list)")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a key: it stops working at once."""
    components = open_components(settings_from(data_dir, database_url), follow=False)
    try:
        revoked = KeyStore(components.application.database).revoke(key_id)
    finally:
        components.close()
    if not revoked:
        fail(f"no live key {key_id!r}")
    console.print(f"Revoked key {key_id}.")


def _woken_by_stdin(components: Components, stopping: threading.Event) -> None:
    """Wake the follower on each byte the server writes; its end (the server stopped or died)
    stops the worker."""
    runner = components.runner
    with contextlib.suppress(OSError, ValueError):
        while os.read(sys.stdin.fileno(), 4096):
            if runner is not None:
                runner.wake()
    stopping.set()


def main() -> None:
    """Entry point of the ``negotiation-timeline`` script."""
    cli()
