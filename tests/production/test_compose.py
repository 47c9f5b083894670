"""The production layout (docker-compose.yml and the Dockerfile), checked without a Docker engine.

The compose file is parsed as YAML; every command a container would run is handed to the real
console script with ``--help``, so a renamed command or option breaks this test, not a deploy.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
from production_support import (
    CLI,
    PROGRAM,
    as_argv,
    clean_env,
    command_of,
    compose,
    dockerfile_instructions,
    entrypoint_of,
    run_cli,
    services,
)

from store.settings import Settings

DB = "db"
MIGRATE = "migrate"
APIS = ("api-1", "api-2")
WORKER = "worker"
REQUIRED_SERVICES = (DB, MIGRATE, *APIS, WORKER)
#: Values compose must refuse to run without (no silent empty password or database name).
REQUIRED_VARIABLES = ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB")
PG_DATA = "/var/lib/postgresql/data"
#: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, ${VAR:+alt}; not $$.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_]\w*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")
BARE_VARIABLE = re.compile(r"(?<!\$)\$(?P<name>[A-Za-z_]\w*)")

#: The services that run the image built from the Dockerfile, and the Dockerfile's own CMD.
IMAGE_SERVICES = sorted(name for name, spec in services().items() if "build" in spec)
COMMANDS = [(name, command_of(services()[name])) for name in IMAGE_SERVICES] + [
    ("Dockerfile CMD", dockerfile_instructions()["CMD"])
]


def strings(value: Any) -> list[str]:
    """Every string (keys included) in a parsed YAML value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def environment(name: str) -> dict[str, Any]:
    """A service's environment as a mapping (compose allows a list of KEY=VALUE too)."""
    env = services()[name].get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    assert isinstance(env, dict)
    return env


def depends_on(name: str) -> dict[str, dict[str, Any]]:
    """A service's dependencies with their conditions (the list form has none)."""
    found = services()[name].get("depends_on", {})
    if isinstance(found, list):
        return {dependency: {} for dependency in found}
    assert isinstance(found, dict)
    return found


def option_value(argv: list[str], option: str) -> str | None:
    """The last value given to ``option`` (as click takes it), either ``--opt v`` or ``--opt=v``."""
    value = None
    for i, token in enumerate(argv):
        if token == option and i + 1 < len(argv):
            value = argv[i + 1]
        elif token.startswith(f"{option}="):
            value = token.split("=", 1)[1]
    return value


@cache
def cli_help(args: tuple[str, ...]) -> tuple[int, str]:
    """Exit code and output of ``negotiation-timeline <args> --help``."""
    result = run_cli(*args, "--help", env=clean_env(), timeout=60)
    return result.returncode, result.stdout + result.stderr


def test_the_services_of_the_production_layout_exist() -> None:
    missing = [name for name in REQUIRED_SERVICES if name not in services()]
    assert not missing, f"docker-compose.yml lacks services {missing}; has {sorted(services())}"


def test_db_is_postgres_with_a_named_volume_and_a_pg_isready_healthcheck() -> None:
    db = services()[DB]
    image = str(db.get("image", ""))
    repository, _, tag = image.partition(":")
    assert repository.rsplit("/", 1)[-1] == "postgres", f"db image is {image!r}"
    assert tag, f"pin the PostgreSQL major version: {image!r}"
    assert tag != "latest", f"pin the PostgreSQL major version, not {image!r}"

    mounts = {}
    for volume in db.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume.get("source"), volume.get("target")
        mounts[target] = source
    assert PG_DATA in mounts, f"db mounts nothing at {PG_DATA}: {db.get('volumes')}"
    source = mounts[PG_DATA]
    assert source, f"db mounts nothing at {PG_DATA}"
    assert not source.startswith((".", "/", "~")), (
        f"{PG_DATA} is a bind mount ({source!r}), not a named volume"
    )
    declared = compose().get("volumes") or {}
    assert source in declared, f"volume {source!r} is not declared under the top-level volumes"

    healthcheck = db.get("healthcheck", {})
    test = " ".join(as_argv(healthcheck.get("test", [])))
    assert "pg_isready" in test, f"db healthcheck does not use pg_isready: {test!r}"
    assert not healthcheck.get("disable", False)


def test_required_values_are_refused_when_unset() -> None:
    """``${VAR:?message}`` for every value without a default; the credentials always so."""
    uses: dict[str, list[str]] = {}
    for text in strings(compose()):
        for match in INTERPOLATION.finditer(text):
            name, op, arg = match["name"], match["op"], match["arg"]
            uses.setdefault(name, []).append(match[0])
            assert op is not None, f"{match[0]} has neither a default nor :? (in {text!r})"
            if op in (":?", "?"):
                assert op == ":?", f"{match[0]}: use :? so that an empty value is refused too"
                assert arg.strip(), f"{match[0]}: say what to set"
            if name in REQUIRED_VARIABLES:
                assert op == ":?", f"{name} is required: {match[0]} must be ${{{name}:?...}}"
        for match in BARE_VARIABLE.finditer(text):
            assert match["name"] not in REQUIRED_VARIABLES, f"bare ${match['name']} in {text!r}"

    for name in REQUIRED_VARIABLES:
        assert uses.get(name), f"{name} is not used anywhere"
    for name in REQUIRED_VARIABLES:  # the db is initialised from exactly these
        value = str(environment(DB).get(name, ""))
        match = INTERPOLATION.fullmatch(value)
        assert match is not None, f"db {name} is {value!r}"
        assert match["name"] == name, f"db {name} is {value!r}"


@pytest.mark.parametrize("name", [MIGRATE, *APIS, WORKER])
def test_the_service_uses_the_db_credentials_and_known_settings(name: str) -> None:
    env = environment(name)
    url = str(env.get("NT_DATABASE_URL", ""))
    assert url.startswith(("postgresql://", "postgres://")), f"{name} NT_DATABASE_URL is {url!r}"
    assert "@db:" in url or "@db/" in url, f"{name} does not reach the db service: {url!r}"
    for variable in REQUIRED_VARIABLES:
        assert re.search(rf"\$\{{{variable}:\?[^}}]+\}}", url), f"{name}: {variable} not in {url!r}"
    fields = set(Settings.model_fields)
    for key in env:
        if key.startswith("NT_"):
            assert key.removeprefix("NT_").lower() in fields, f"{name}: {key} is no setting"


def test_migrate_runs_once_the_db_is_healthy() -> None:
    assert depends_on(MIGRATE).get(DB, {}).get("condition") == "service_healthy", depends_on(
        MIGRATE
    )
    restart = str(services()[MIGRATE].get("restart", "no"))
    assert restart in ("no", "on-failure") or restart.startswith("on-failure:"), (
        f"migrate is one-shot, but restart is {restart!r}: it would run again after succeeding"
    )


@pytest.mark.parametrize("name", [*APIS, WORKER])
def test_the_service_starts_after_a_successful_migrate(name: str) -> None:
    condition = depends_on(name).get(MIGRATE, {}).get("condition")
    assert condition == "service_completed_successfully", f"{name}: {depends_on(name)}"


@pytest.mark.parametrize("name", APIS)
def test_the_api_checks_readiness_and_leaves_the_views_to_the_worker(name: str) -> None:
    service = services()[name]
    env = environment(name)
    assert env.get("NT_RUN_PROJECTIONS") == "false", f"{name}: {env.get('NT_RUN_PROJECTIONS')!r}"
    assert Settings(run_projections=env["NT_RUN_PROJECTIONS"]).run_projections is False

    argv = command_of(service)
    assert argv[0] == "serve", f"{name} runs {argv}"
    port = option_value(argv, "--port")
    assert port is not None, f"{name} serves on the default port: say --port"
    assert option_value(argv, "--host") == "0.0.0.0", f"{name} must listen on all interfaces"

    healthcheck = service.get("healthcheck", {})
    test = " ".join(as_argv(healthcheck.get("test", [])))
    assert "/readyz" in test, f"{name} healthcheck does not ask /readyz: {test!r}"
    assert f":{port}/readyz" in test, f"{name} healthcheck does not ask port {port}: {test!r}"
    assert not healthcheck.get("disable", False)
    published = [str(p).rsplit(":", 1)[-1] for p in service.get("ports", [])]
    assert port in published, f"{name} publishes {service.get('ports')}, it serves on {port}"


def test_the_worker_follows_the_log() -> None:
    assert command_of(services()[WORKER])[0] == "worker"
    followers = [
        name
        for name in IMAGE_SERVICES
        if command_of(services()[name])[0] == "worker"
        or (
            command_of(services()[name])[0] == "serve"
            and Settings(
                run_projections=environment(name).get("NT_RUN_PROJECTIONS", "true")
            ).run_projections
        )
    ]
    assert followers == [WORKER], f"the views must be followed by the worker alone: {followers}"


def test_the_dockerfile_runs_the_cli() -> None:
    instructions = dockerfile_instructions()
    assert instructions.get("ENTRYPOINT") == [PROGRAM], instructions
    assert instructions.get("CMD"), "the Dockerfile has no CMD"
    assert CLI.exists(), f"{CLI} is not installed"


@pytest.mark.parametrize("name", IMAGE_SERVICES)
def test_the_service_runs_the_entrypoint(name: str) -> None:
    assert entrypoint_of(services()[name]) == [PROGRAM]


@pytest.mark.parametrize(("where", "argv"), COMMANDS, ids=[where for where, _ in COMMANDS])
def test_the_command_is_a_real_cli_command(where: str, argv: list[str]) -> None:
    assert argv, f"{where} has no command"
    assert not argv[0].startswith("-"), f"{where}: {argv} names no command"
    code, output = cli_help(tuple(argv))
    assert code == 0, f"{where}: `{PROGRAM} {' '.join(argv)} --help` exits {code}:\n{output}"
    assert f"Usage: {PROGRAM} {argv[0]}" in output, f"{where}: not the help of {argv[0]}:\n{output}"
    for option in (token.split("=", 1)[0] for token in argv if token.startswith("--")):
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", output), (
            f"{where}: {option} is not an option of `{PROGRAM} {argv[0]}`:\n{output}"
        )
