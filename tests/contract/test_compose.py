"""The deployment files agree with the code, checked without a docker engine.

docker-compose.yml, every service's Dockerfile, .env.example and
scripts/stack.sh are compared with what the code really needs. Nothing is
listed here by hand: the services are the directories under services/ with a
pyproject.toml, their roles (web, worker, migrate, seed) are the
`licensing.services` entry points of that pyproject, their ports are
common.launcher.DEFAULT_PORTS, and the variables they need are found by running
their `Settings.from_env` (and by reading the code for direct environment reads).

Compose naming: `<name>` is the service's gunicorn web process, `<name>-worker`
its worker, `<name>-migrate` its one-shot migration; postgres and rabbitmq are
the infrastructure.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import glob
import importlib
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from common.launcher import DEFAULT_PORTS, ENTRY_POINT_GROUP
from common.settings import Env, InvalidSetting, MissingSetting

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
STACK_SCRIPT = ROOT / "scripts" / "stack.sh"
CI_SCRIPT = ROOT / ".ci" / "run"
POSTGRES_INIT = ROOT / "deploy" / "postgres"
INFRASTRUCTURE = {"postgres", "rabbitmq"}
HEALTHY = "service_healthy"
COMPLETED = "service_completed_successfully"
# Modules (relative to ROOT) read for direct environment reads; tests are not configuration.
CODE_GLOBS = ("libs/*/*/**/*.py", "services/*/*/**/*.py")


# --- the services of the tree ------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    name: str
    root: Path
    pyproject: dict[str, Any] = field(repr=False, hash=False, compare=False)

    @property
    def roles(self) -> dict[str, str]:
        """role -> entry-point value, e.g. {"web": "catalog.app:create_app", ...}."""
        entries = self.pyproject.get("project", {}).get("entry-points", {})
        group = entries.get(ENTRY_POINT_GROUP, {})
        prefix = f"{self.name}."
        return {
            name.removeprefix(prefix): value
            for name, value in group.items()
            if name.startswith(prefix)
        }

    @property
    def dockerfile(self) -> Path:
        return self.root / "Dockerfile"

    @property
    def port(self) -> int:
        if self.name not in DEFAULT_PORTS:
            pytest.fail(f"{self.name} has no port: add it to common.launcher.DEFAULT_PORTS")
        return DEFAULT_PORTS[self.name]

    def module(self, role: str) -> str:
        return self.roles[role].partition(":")[0]


def _load_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def discover_services() -> list[Service]:
    return [
        Service(path.parent.name, path.parent, _load_toml(path))
        for path in sorted((ROOT / "services").glob("*/pyproject.toml"))
    ]


SERVICES = discover_services()


def by_service(test: Any) -> Any:
    return pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])(test)


def test_the_tree_has_services() -> None:
    assert SERVICES, "no services/*/pyproject.toml found: the deployment would be empty"


# --- local Python projects (what a Dockerfile can install) ------------------------------


@dataclass(frozen=True)
class Project:
    root: Path
    pyproject: dict[str, Any] = field(repr=False, hash=False, compare=False)

    @property
    def name(self) -> str:
        return _normalise(self.pyproject["project"]["name"])

    @property
    def dependencies(self) -> set[str]:
        return {_requirement_name(req) for req in self.pyproject["project"].get("dependencies", [])}

    @property
    def scripts(self) -> dict[str, str]:
        return self.pyproject["project"].get("scripts", {})

    def provides(self, module: str) -> bool:
        """Whether installing this project installs `module` (setuptools layout)."""
        find = self.pyproject.get("tool", {}).get("setuptools", {}).get("packages", {})
        top = module.split(".")[0]
        if isinstance(find, dict):
            include = find.get("find", {}).get("include", ["*"])
            if not any(fnmatch.fnmatchcase(top, pattern) for pattern in include):
                return False
        elif isinstance(find, list) and top not in find:
            return False
        base = self.root.joinpath(*module.split("."))
        return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _normalise(re.split(r"[\s\[<>=!~;@(]", requirement.strip(), maxsplit=1)[0])


@functools.cache
def local_projects() -> dict[Path, Project]:
    found = {}
    for path in sorted(
        [*ROOT.glob("libs/*/pyproject.toml"), *ROOT.glob("services/*/pyproject.toml")]
    ):
        found[path.parent] = Project(path.parent, _load_toml(path))
    return found


# --- docker compose ----------------------------------------------------------------------


def _compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    pytest.fail(
        "docker-compose is not installed, so docker-compose.yml cannot be validated: "
        "apt-get install docker-compose (.ci/run does)"
    )


def run_compose_config(env_file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: only the env file may feed the ${VAR} interpolation.
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    environment["HOME"] = os.environ.get("HOME", "/tmp")
    command = [
        *_compose_command(),
        "--project-directory",
        str(ROOT),
        "-f",
        str(COMPOSE_FILE),
        "--env-file",
        str(env_file),
        "config",
        *extra,
    ]
    return subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture(scope="session")
def empty_env_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compose") / "empty.env"
    path.write_text("")
    return path


@pytest.fixture(scope="session", params=["no .env", ".env from .env.example"])
def any_env_file(request: pytest.FixtureRequest, empty_env_file: Path) -> Path:
    return empty_env_file if request.param == "no .env" else ENV_EXAMPLE


def _config(env_file: Path) -> dict[str, Any]:
    result = run_compose_config(env_file)
    assert result.returncode == 0, f"docker-compose config failed:\n{result.stderr}"
    config = yaml.safe_load(result.stdout)
    assert isinstance(config, dict) and config.get("services"), result.stdout
    return config


@pytest.fixture(scope="session")
def compose(empty_env_file: Path) -> dict[str, Any]:
    """The resolved compose file of a fresh clone (no .env: the defaults)."""
    return _config(empty_env_file)


@pytest.fixture(scope="session")
def compose_configs(empty_env_file: Path) -> dict[str, dict[str, Any]]:
    """Resolved without a .env and with .env.example copied to .env."""
    return {"no .env": _config(empty_env_file), ".env from .env.example": _config(ENV_EXAMPLE)}


def services_of(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return config["services"]


def command_of(definition: Mapping[str, Any]) -> list[str]:
    command = definition.get("command")
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def containers_of(config: Mapping[str, Any], service: Service) -> dict[str, dict[str, Any]]:
    """The compose services built from this service's Dockerfile."""
    dockerfile = service.dockerfile.resolve()
    found = {}
    for name, definition in services_of(config).items():
        build = definition.get("build")
        if not build:
            continue
        context = Path(build["context"]) if isinstance(build, dict) else Path(build)
        context = context if context.is_absolute() else ROOT / context
        path = context / (
            build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile"
        )
        if path.resolve() == dockerfile:
            found[name] = definition
    return found


def environment_of(definition: Mapping[str, Any]) -> dict[str, str]:
    environment = definition.get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.partition("=") for item in environment)
        return {key: value for key, _, value in pairs}
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def depends_on(definition: Mapping[str, Any]) -> dict[str, str]:
    dependencies = definition.get("depends_on") or {}
    if isinstance(dependencies, list):
        return {name: "service_started" for name in dependencies}
    return {
        name: (spec or {}).get("condition", "service_started")
        for name, spec in dependencies.items()
    }


def gunicorn_parts(command: list[str]) -> tuple[str | None, str]:
    """(bind address, app target) of a gunicorn command line."""
    bind = None
    for index, part in enumerate(command):
        if part in {"-b", "--bind"} and index + 1 < len(command):
            bind = command[index + 1]
        elif part.startswith("--bind="):
            bind = part.split("=", 1)[1]
    return bind, command[-1]


def test_compose_file_is_valid(any_env_file: Path) -> None:
    result = run_compose_config(any_env_file, "-q")
    assert result.returncode == 0, f"docker-compose config -q failed:\n{result.stderr}"


@by_service
def test_every_role_of_the_service_runs_in_compose(
    compose: dict[str, Any], service: Service
) -> None:
    roles = service.roles
    assert roles, f"{service.root}/pyproject.toml declares no {ENTRY_POINT_GROUP} entry points"
    defined = services_of(compose)
    expected = {
        service.name: "web",
        f"{service.name}-worker": "worker",
        f"{service.name}-migrate": "migrate",
    }
    problems = []
    for container, role in expected.items():
        if role not in roles:
            if container in defined:
                problems.append(
                    f"{container} runs, but pyproject.toml declares no {service.name}.{role}"
                )
            continue
        if container not in defined:
            problems.append(
                f"{service.name}.{role} is declared but docker-compose.yml has no {container}"
            )
            continue
        command = command_of(defined[container])
        if role == "web":
            bind, target = gunicorn_parts(command)
            if command[:1] != ["gunicorn"]:
                problems.append(f"{container} must run gunicorn, runs {command}")
            if target != f"{roles['web']}()":
                problems.append(
                    f"{container} serves {target!r}, the entry point is {roles['web']}()"
                )
            if bind != f"0.0.0.0:{service.port}":
                problems.append(f"{container} binds {bind}, expected 0.0.0.0:{service.port}")
        else:
            wanted = ["python", "-m", service.module(role)]
            if command != wanted:
                problems.append(f"{container} runs {command}, expected {wanted}")
    stray = set(containers_of(compose, service)) - set(expected)
    if stray:
        problems.append(f"unexpected containers built from {service.name}'s image: {sorted(stray)}")
    assert not problems, "\n".join(problems)


@by_service
def test_web_and_worker_start_after_the_migration(
    compose: dict[str, Any], service: Service
) -> None:
    if "migrate" not in service.roles:
        pytest.fail(f"{service.name} declares no {service.name}.migrate entry point")
    defined = services_of(compose)
    migrate = f"{service.name}-migrate"
    assert defined[migrate].get("restart") == "no", f"{migrate} is a one-shot: restart must be 'no'"
    for container in (service.name, f"{service.name}-worker"):
        if container in defined:
            conditions = depends_on(defined[container])
            assert conditions.get(migrate) == COMPLETED, (
                f"{container} must depend on {migrate} with condition {COMPLETED}, has {conditions}"
            )


@by_service
def test_one_image_per_service(compose: dict[str, Any], service: Service) -> None:
    containers = containers_of(compose, service)
    assert containers, (
        f"nothing in docker-compose.yml is built from {service.dockerfile.relative_to(ROOT)}"
    )
    images = {definition.get("image") for definition in containers.values()}
    assert len(images) == 1 and None not in images, (
        f"{service.name}'s web, worker and migrate must share one named image, found {images}"
    )
    builds = {repr(definition["build"]) for definition in containers.values()}
    assert len(builds) == 1, f"{service.name}'s containers build differently: {builds}"
    for name, definition in services_of(compose).items():
        if name not in containers:
            assert definition.get("image") not in images, (
                f"{name} reuses {images} without its build"
            )


def test_every_build_context_and_dockerfile_exists(compose: dict[str, Any]) -> None:
    problems = []
    for name, definition in services_of(compose).items():
        build = definition.get("build")
        if build is None:
            continue
        context = Path(build["context"])
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        if context.resolve() != ROOT:
            problems.append(f"{name}: the build context must be the repository root, is {context}")
        if not dockerfile.is_file():
            problems.append(f"{name}: {dockerfile} does not exist")
    assert not problems, "\n".join(problems)


def test_every_long_running_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    problems = []
    for name, definition in services_of(compose).items():
        if definition.get("restart") == "no":
            continue  # a one-shot: others wait for it to complete, not to be healthy
        check = definition.get("healthcheck") or {}
        test = check.get("test")
        if check.get("disable") or not test or test in (["NONE"], "NONE"):
            problems.append(f"{name} runs for good but has no healthcheck")
    assert not problems, "\n".join(problems)


def test_every_dependency_has_a_condition_that_can_be_met(compose: dict[str, Any]) -> None:
    defined = services_of(compose)
    problems = []
    for name, definition in defined.items():
        for target, condition in depends_on(definition).items():
            if target not in defined:
                problems.append(f"{name} depends on {target}, which is not defined")
            elif condition == HEALTHY:
                if not (defined[target].get("healthcheck") or {}).get("test"):
                    problems.append(
                        f"{name} waits for {target} to be healthy; it has no healthcheck"
                    )
            elif condition == COMPLETED:
                if defined[target].get("restart") != "no":
                    problems.append(f"{name} waits for {target} to complete; it is not a one-shot")
            else:
                problems.append(
                    f"{name} depends on {target} with {condition}: say healthy or completed"
                )
    assert not problems, "\n".join(problems)


@by_service
def test_web_healthcheck_probes_its_own_port(compose: dict[str, Any], service: Service) -> None:
    if "web" not in service.roles:
        return
    definition = services_of(compose)[service.name]
    test = " ".join(map(str, (definition.get("healthcheck") or {}).get("test") or []))
    probe = re.search(r"https?://(?:127\.0\.0\.1|localhost):(\d+)/(healthz|readyz)\b", test)
    assert probe, f"{service.name}'s healthcheck must GET /healthz or /readyz: {test!r}"
    assert int(probe.group(1)) == service.port, (
        f"{service.name}'s healthcheck probes port {probe.group(1)}"
    )
    assert "urllib" in test, "slim images have no curl: probe with python's urllib"


def test_service_urls_point_at_the_web_containers(compose: dict[str, Any]) -> None:
    names = {service.name: service for service in SERVICES}
    problems = []
    for container, definition in services_of(compose).items():
        for key, value in environment_of(definition).items():
            owner = key.removesuffix("_URL").lower()
            if not key.endswith("_URL") or key.endswith("_DATABASE_URL") or owner not in names:
                continue
            expected = f"http://{owner}:{names[owner].port}"
            if value.rstrip("/") != expected:
                problems.append(f"{container}: {key}={value!r}, expected {expected}")
    assert not problems, "\n".join(problems)


def _postgres_databases(compose: dict[str, Any]) -> set[str]:
    environment = environment_of(services_of(compose)["postgres"])
    return set(environment.get("LICENSING_DATABASES", "").replace(",", " ").split())


def test_postgres_creates_a_database_for_every_service(compose: dict[str, Any]) -> None:
    databases = _postgres_databases(compose)
    missing = {f"licensing_{service.name}" for service in SERVICES} - databases
    assert not missing, f"LICENSING_DATABASES of the postgres service lacks {sorted(missing)}"
    volumes = [str(volume) for volume in services_of(compose)["postgres"].get("volumes", [])]
    assert any(
        str(POSTGRES_INIT) in volume and "/docker-entrypoint-initdb.d" in volume
        for volume in volumes
    ), f"deploy/postgres must be mounted at /docker-entrypoint-initdb.d, volumes are {volumes}"
    scripts = sorted(POSTGRES_INIT.glob("*.sh"))
    assert scripts, "deploy/postgres has no init script"
    for script in scripts:
        assert os.access(script, os.X_OK), (
            f"{script} must be executable (the image runs, not sources, it)"
        )
        syntax = subprocess.run(
            ["bash", "-n", str(script)], capture_output=True, text=True, check=False
        )
        assert syntax.returncode == 0, syntax.stderr


@by_service
def test_each_service_gets_only_its_own_database(compose: dict[str, Any], service: Service) -> None:
    databases = _postgres_databases(compose)
    own = f"{service.name.upper()}_DATABASE_URL"
    for container, definition in containers_of(compose, service).items():
        environment = environment_of(definition)
        foreign = sorted(k for k in environment if k.endswith("_DATABASE_URL") and k != own)
        assert not foreign, f"{container} is given another service's database: {foreign}"
        url = environment.get(own, "")
        match = re.fullmatch(r"postgresql(?:\+\w+)?://[^@/]+@postgres:5432/(\w+)", url)
        assert match, f"{container}: {own}={url!r} must point at the postgres service"
        assert match.group(1) in databases, (
            f"{container}: {match.group(1)} is not created by postgres"
        )


# --- settings: what each service reads ------------------------------------------------


class RecordingEnviron(Mapping[str, str]):
    """An environment mapping that remembers every name looked up."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self.read: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self.read.append(key)
        return self._values.get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.append(key)
        return self._values[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.read.append(key)
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def import_service_module(service: Service, module: str) -> Any:
    """Import from the installed package, or from the working tree before `make venv`."""
    if str(service.root) not in sys.path:
        sys.path.append(str(service.root))
    return importlib.import_module(module)


def settings_class(service: Service) -> Any:
    module = import_service_module(service, f"{service.name}.settings")
    assert hasattr(module, "Settings"), f"{service.name}.settings has no Settings class"
    return module.Settings


PLACEHOLDERS = ("placeholder-value-long-enough-0123456789", "1", "true")


@functools.cache
def settings_variables(service: Service) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, every variable read) by running Settings.from_env on an empty
    environment and filling in each variable it reports missing."""
    settings = settings_class(service)
    values: dict[str, str] = {}
    required: list[str] = []
    attempts: dict[str, int] = {}
    for _ in range(200):
        environ = RecordingEnviron(values)
        try:
            settings.from_env(Env(environ))
        except MissingSetting as missing:
            required.append(missing.name)
            values[missing.name] = PLACEHOLDERS[0]
        except InvalidSetting as invalid:
            attempts[invalid.name] = attempts.get(invalid.name, 0) + 1
            if attempts[invalid.name] >= len(PLACEHOLDERS):
                pytest.fail(
                    f"cannot find a value {service.name} accepts for {invalid.name}: {invalid}"
                )
            values[invalid.name] = PLACEHOLDERS[attempts[invalid.name]]
        else:
            return tuple(required), tuple(dict.fromkeys(environ.read))
    pytest.fail(f"{service.name}.settings.Settings.from_env keeps asking for more variables")


@by_service
def test_settings_have_required_variables(service: Service) -> None:
    required, read = settings_variables(service)
    assert set(required) <= set(read)
    assert f"{service.name.upper()}_DATABASE_URL" in required, (
        f"{service.name} should require its own {service.name.upper()}_DATABASE_URL"
    )


@by_service
def test_compose_environment_satisfies_the_settings(
    compose_configs: dict[str, dict[str, Any]], service: Service
) -> None:
    required, read = settings_variables(service)
    settings = settings_class(service)
    problems = []
    for label, config in compose_configs.items():
        for container, definition in containers_of(config, service).items():
            environment = environment_of(definition)
            missing = [name for name in required if not environment.get(name)]
            if missing:
                problems.append(f"{container} ({label}) lacks required {missing}")
            not_passed = [name for name in read if name not in environment]
            if not_passed:
                problems.append(
                    f"{container} ({label}) does not pass {not_passed} through (use NAME: ${{NAME:-}})"
                )
            try:
                settings.from_env(Env(environment))
            except (MissingSetting, InvalidSetting) as exc:
                problems.append(f"{container} ({label}) would not start: {exc}")
    assert not problems, "\n".join(problems)


@by_service
def test_env_example_is_enough_to_start_the_service(service: Service) -> None:
    values = {key: value for key, value in env_example().items() if value}
    try:
        settings_class(service).from_env(Env(values))
    except (MissingSetting, InvalidSetting) as exc:
        pytest.fail(f"with .env.example as the environment, {service.name} would not start: {exc}")


# --- .env.example ------------------------------------------------------------------------

ENV_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
ENV_READ = re.compile(
    r"""(?:os\.environ\.get\(|os\.getenv\(|os\.environ\[|\benv\.(?:str|int|float|bool)\()\s*"""
    r"""(?:(f?)(["'])([^"']+)\2|([A-Z][A-Z0-9_]*)\s*[,)\]])"""
)


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = ENV_LINE.match(line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


def variables_read_by_code() -> dict[str, str]:
    """name -> where, for every literal (or per-service f-string) environment read."""
    upper_names = [service.name.upper() for service in SERVICES]
    found: dict[str, str] = {}
    for pattern in CODE_GLOBS:
        for path in sorted(ROOT.glob(pattern)):
            relative = path.relative_to(ROOT)
            if "tests" in relative.parts or "migrations" in relative.parts:
                continue
            text = path.read_text()
            for match in ENV_READ.finditer(text):
                template = match.group(3)
                if template is None:  # a module constant holding the name
                    constant = re.search(
                        rf"""^{match.group(4)}\s*=\s*["']([A-Z][A-Z0-9_]*)["']""",
                        text,
                        re.MULTILINE,
                    )
                    template = constant.group(1) if constant else ""
                if match.group(1) and "{" in template:
                    names = [re.sub(r"\{[^}]*\}", upper, template) for upper in upper_names]
                else:
                    names = [template]
                for name in names:
                    if re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
                        found.setdefault(name, str(relative))
    return found


def variables_interpolated_by_compose() -> set[str]:
    lines = [
        line for line in COMPOSE_FILE.read_text().splitlines() if not line.lstrip().startswith("#")
    ]
    return set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", "\n".join(lines)))


def test_env_example_lists_every_variable_and_only_those() -> None:
    used: dict[str, str] = {}
    for service in SERVICES:
        for name in settings_variables(service)[1]:
            used.setdefault(name, f"{service.name}.settings")
    for name, where in variables_read_by_code().items():
        used.setdefault(name, where)
    for name in variables_interpolated_by_compose():
        used.setdefault(name, "docker-compose.yml")
    listed = env_example()
    missing = {name: where for name, where in used.items() if name not in listed}
    unused = sorted(set(listed) - set(used))
    assert not missing, f".env.example lacks variables that are read: {missing}"
    assert not unused, f".env.example lists variables nothing reads: {unused}"


def test_env_example_explains_every_variable() -> None:
    problems = []
    previous = ""
    for number, line in enumerate(ENV_EXAMPLE.read_text().splitlines(), start=1):
        stripped = line.strip()
        match = ENV_LINE.match(stripped)
        if match and not (previous.startswith("#") or ENV_LINE.match(previous)):
            problems.append(f"line {number}: {match.group(1)} has no comment above it")
        previous = stripped
    assert not problems, "\n".join(problems)


# --- Dockerfiles: what the image contains ---------------------------------------------------


@dataclass
class Image:
    """What a Dockerfile puts into its image, as far as these checks need."""

    copies: list[tuple[PurePosixPath, Path]] = field(default_factory=list)  # image path, repo path
    missing_sources: list[str] = field(default_factory=list)
    projects: dict[Path, bool] = field(default_factory=dict)  # repo dir -> installed editable
    unresolved: list[str] = field(default_factory=list)  # install paths not found in the repo
    entrypoint: list[str] | None = None

    def repo_path(self, image_path: PurePosixPath) -> Path | None:
        for target, source in sorted(self.copies, key=lambda pair: -len(pair[0].parts)):
            if image_path == target or target in image_path.parents:
                return source.joinpath(*image_path.relative_to(target).parts)
        return None

    def installed(self) -> list[Project]:
        projects = local_projects()
        return [projects[path] for path in self.projects if path in projects]


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    instructions, pending = [], ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, rest = line.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _arguments(rest: str) -> list[str]:
    if rest.startswith("["):
        try:
            return [str(part) for part in yaml.safe_load(rest)]
        except yaml.YAMLError:
            pass
    return shlex.split(rest)


def _pip_targets(shell: str) -> Iterator[tuple[str, bool]]:
    """(path argument, editable) of every `pip install`/`pip wheel` in a RUN command."""
    for command in re.split(r"&&|\|\||;", shell):
        try:
            words = shlex.split(command)
        except ValueError:
            continue
        for index, word in enumerate(words):
            if word in {"install", "wheel"} and index and re.search(r"pip3?$", words[index - 1]):
                arguments = words[index + 1 :]
                break
        else:
            continue
        skip_next = False
        for position, argument in enumerate(arguments):
            if skip_next:
                skip_next = False
                continue
            if argument in {"-e", "--editable"}:
                continue
            editable = position > 0 and arguments[position - 1] in {"-e", "--editable"}
            if argument in {
                "-r",
                "-c",
                "--requirement",
                "--constraint",
                "-w",
                "--wheel-dir",
                "-t",
                "--target",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-f",
                "--find-links",
                "--prefix",
                "--root",
            }:
                skip_next = True
                continue
            if argument.startswith("-"):
                continue
            if argument.startswith((".", "/")) or "/" in argument:
                yield argument.split("[")[0], editable


def parse_dockerfile(path: Path) -> Image:
    image = Image()
    workdir = PurePosixPath("/")
    for keyword, rest in dockerfile_instructions(path):
        if keyword == "FROM":
            workdir = PurePosixPath("/")
        elif keyword == "WORKDIR":
            workdir = workdir / rest.strip().strip('"')
        elif keyword in {"COPY", "ADD"}:
            words = _arguments(rest) if rest.startswith("[") else shlex.split(rest)
            flags = [word for word in words if word.startswith("--")]
            paths = [word for word in words if not word.startswith("--")]
            if any(flag.startswith("--from") for flag in flags) or len(paths) < 2:
                continue
            *sources, target = paths
            destination = workdir / target
            for source in sources:
                matches = sorted(glob.glob(str(ROOT / source)))
                if not matches:
                    image.missing_sources.append(source)
                for match in matches:
                    found = Path(match)
                    if found.is_dir():
                        image.copies.append((destination, found))
                    elif target.endswith("/") or len(sources) > 1:
                        image.copies.append((destination / found.name, found))
                    else:
                        image.copies.append((destination, found))
        elif keyword == "RUN":
            shell = " ".join(_arguments(rest)) if rest.startswith("[") else rest
            for argument, editable in _pip_targets(shell):
                image_path = workdir / argument
                repo = image.repo_path(PurePosixPath(os.path.normpath(image_path)))
                if repo is not None and (repo / "pyproject.toml").is_file():
                    image.projects[repo.resolve()] = (
                        image.projects.get(repo.resolve(), False) or editable
                    )
                else:
                    image.unresolved.append(argument)
        elif keyword == "ENTRYPOINT":
            image.entrypoint = _arguments(rest)
    return image


def require_dockerfile(service: Service) -> Image:
    if not service.dockerfile.is_file():
        pytest.fail(f"{service.dockerfile.relative_to(ROOT)} does not exist")
    return parse_dockerfile(service.dockerfile)


@by_service
def test_dockerfile_copies_only_existing_paths(service: Service) -> None:
    image = require_dockerfile(service)
    assert not image.missing_sources, (
        f"{service.dockerfile.relative_to(ROOT)} copies paths that do not exist: {image.missing_sources}"
    )
    assert image.copies, (
        f"{service.dockerfile.relative_to(ROOT)} copies nothing from the repository"
    )


@by_service
def test_dockerfile_installs_the_service_and_its_local_dependencies(service: Service) -> None:
    image = require_dockerfile(service)
    installed = {project.name: project for project in image.installed()}
    assert service.root.resolve() in image.projects, (
        f"{service.dockerfile.relative_to(ROOT)} does not pip install {service.root.relative_to(ROOT)} "
        f"(installs {sorted(str(p.relative_to(ROOT)) for p in image.projects)}; unresolved {image.unresolved})"
    )
    local = {project.name: project for project in local_projects().values()}
    missing = {
        dependency
        for project in installed.values()
        for dependency in project.dependencies
        if dependency in local and dependency not in installed
    }
    assert not missing, f"{service.name}'s image lacks the local packages {sorted(missing)}"


def _provider(image: Image, module: str) -> Project | None:
    return next((project for project in image.installed() if project.provides(module)), None)


def _has_main_guard(project: Project, module: str) -> bool:
    base = project.root.joinpath(*module.split("."))
    source = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__main__.py"
    return (
        source.is_file()
        and re.search(r"""__name__\s*==\s*["']__main__["']""", source.read_text()) is not None
    )


def _distribution_declared(image: Image, module: str) -> bool:
    """Whether a third-party import is a declared dependency of something installed."""
    from importlib.metadata import packages_distributions

    declared = {dependency for project in image.installed() for dependency in project.dependencies}
    distributions = packages_distributions().get(module.split(".")[0], [])
    return any(_normalise(name) in declared for name in distributions)


def command_problems(
    service: Service, image: Image, container: str, command: list[str]
) -> list[str]:
    problems: list[str] = []
    if not command:
        return [f"{container} has no command (the image's CMD is not checked; be explicit)"]
    program = command[0]
    if program in {"python", "python3"}:
        if command[1:2] == ["-m"] and len(command) > 2:
            module = command[2]
            project = _provider(image, module)
            if project is None:
                problems.append(f"{container}: no package the image installs provides {module}")
            elif not _has_main_guard(project, module):
                problems.append(
                    f"{container}: `python -m {module}` would do nothing (no __main__ guard)"
                )
            elif importlib.util.find_spec(module) is None:
                problems.append(f"{container}: {module} is not importable")
        elif command[1:2] == ["-c"] and len(command) > 2:
            problems += snippet_problems(image, container, command[2])
        return problems
    if program == "gunicorn":
        if not any("gunicorn" in project.dependencies for project in image.installed()):
            problems.append(f"{container}: no package the image installs depends on gunicorn")
        _, target = gunicorn_parts(command)
        match = re.fullmatch(r"([\w.]+):(\w+)(\(.*\))?", target)
        if not match:
            return [*problems, f"{container}: cannot read the gunicorn app {target!r}"]
        module, factory = match.group(1), match.group(2)
        if _provider(image, module) is None:
            problems.append(f"{container}: no package the image installs provides {module}")
            return problems
        try:
            loaded = import_service_module(service, module)
        except ImportError as exc:
            return [*problems, f"{container}: cannot import {module}: {exc}"]
        if not callable(getattr(loaded, factory, None)):
            problems.append(f"{container}: {module} has no callable {factory}")
        return problems
    scripts = {name for project in image.installed() for name in project.scripts}
    if program not in scripts:
        problems.append(f"{container}: {program!r} is no console script of the installed packages")
    return problems


def snippet_problems(image: Image, container: str, source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"{container}: python -c snippet does not parse: {exc}"]
    problems = []
    for node in ast.walk(tree):
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        for module in modules:
            if module.split(".")[0] in sys.stdlib_module_names:
                continue
            if _provider(image, module) is None and not _distribution_declared(image, module):
                problems.append(
                    f"{container}: the healthcheck imports {module}, which the image lacks"
                )
            elif importlib.util.find_spec(module) is None:
                problems.append(
                    f"{container}: the healthcheck imports {module}, which does not exist"
                )
    return problems


@by_service
def test_every_command_exists_in_the_image(compose: dict[str, Any], service: Service) -> None:
    image = require_dockerfile(service)
    problems = []
    if image.entrypoint:
        problems += entrypoint_problems(image)
    for container, definition in containers_of(compose, service).items():
        problems += command_problems(service, image, container, command_of(definition))
        test = (definition.get("healthcheck") or {}).get("test") or []
        if isinstance(test, list) and test[:1] == ["CMD"]:
            problems += command_problems(service, image, f"{container} healthcheck", test[1:])
    assert not problems, "\n".join(problems)


@by_service
def test_migrations_travel_with_the_image(service: Service) -> None:
    """`python -m <name>.migrate` must find its Alembic scripts inside the image.

    A non-editable `pip install` copies only the package into site-packages, so
    a migrations directory beside the package (services/<name>/migrations) is
    left behind unless the service is installed with -e (and the directory copied)."""
    if "migrate" not in service.roles:
        pytest.fail(f"{service.name} declares no {service.name}.migrate entry point")
    image = require_dockerfile(service)
    module = import_service_module(service, service.module("migrate"))
    package_dir = Path(module.__file__).resolve().parent
    locations = [
        Path(value).resolve()
        for value in vars(module).values()
        if isinstance(value, Path) and (Path(value) / "env.py").is_file()
    ]
    assert locations, (
        f"{module.__name__} keeps no module-level Path to its Alembic directory (like MIGRATIONS)"
    )
    for location in locations:
        shipped = any(
            source == location or source in location.parents for _, source in image.copies
        )
        assert shipped, (
            f"{service.dockerfile.relative_to(ROOT)} does not copy {location.relative_to(ROOT)}"
        )
        inside_package = package_dir == location or package_dir in location.parents
        if not inside_package:
            assert image.projects.get(service.root.resolve()), (
                f"{location.relative_to(ROOT)} lies outside the {service.name} package: install the "
                f"service editable (pip install -e) in {service.dockerfile.relative_to(ROOT)}, or the "
                f"image's `python -m {module.__name__}` will not find its migrations"
            )


def entrypoint_problems(image: Image) -> list[str]:
    """An ENTRYPOINT receives the compose command as arguments: it must exec them."""
    assert image.entrypoint is not None
    first = image.entrypoint[0]
    if Path(first).name in {"tini", "dumb-init"}:
        return []
    script = image.repo_path(PurePosixPath(first))
    if script is None or not script.is_file():
        return [f"ENTRYPOINT {image.entrypoint}: cannot check that it runs the compose command"]
    if not re.search(r"""exec\s+"\$@"|exec\s+"\$\{@\}\"""", script.read_text()):
        return [f'ENTRYPOINT {script.relative_to(ROOT)} must end with exec "$@"']
    return []


# --- scripts -------------------------------------------------------------------------------


def test_scripts_parse() -> None:
    for script in (STACK_SCRIPT, CI_SCRIPT):
        assert script.is_file(), f"{script.relative_to(ROOT)} is missing"
        assert os.access(script, os.X_OK), f"{script.relative_to(ROOT)} must be executable"
        result = subprocess.run(
            ["bash", "-n", str(script)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr


def test_stack_runs_every_web_process_and_worker() -> None:
    environment = {key: value for key, value in os.environ.items() if not key.endswith("_PORT")}
    result = subprocess.run(
        ["bash", str(STACK_SCRIPT), "procfile"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stdout, f"stack.sh does not see every service:\n{result.stdout}"
    processes = dict(
        line.split(": ", 1)
        for line in result.stdout.splitlines()
        if ": " in line and not line.startswith("#")
    )
    expected = {}
    for service in SERVICES:
        if "web" in service.roles:
            expected[f"{service.name}-web"] = (
                f"gunicorn -w 1 -k gthread --threads 8 --keep-alive 30 -b 127.0.0.1:{service.port} --access-logfile - '{service.roles['web']}()'"
            )
        if "worker" in service.roles:
            expected[f"{service.name}-worker"] = f"python -m {service.module('worker')}"
    assert processes == expected


# --- the image shape (docs/service-template.md) and what compose publishes -----------------

TEST_OVERRIDE = ROOT / "docker-compose.test.yml"


def _stages(path: Path) -> list[list[tuple[str, str]]]:
    """The instructions of each build stage; the ARGs before the first FROM lead."""
    stages: list[list[tuple[str, str]]] = [[]]
    for keyword, rest in dockerfile_instructions(path):
        if keyword == "FROM":
            stages.append([])
        stages[-1].append((keyword, rest))
    return stages


@by_service
def test_image_builds_from_a_base_argument_and_a_wheelhouse(service: Service) -> None:
    require_dockerfile(service)
    leading, *stages = _stages(service.dockerfile)
    assert ("ARG", "BASE_IMAGE=python:3.11-slim") in leading, (
        f"{service.dockerfile.relative_to(ROOT)} must start with ARG BASE_IMAGE=python:3.11-slim"
    )
    assert len(stages) >= 2, "multi-stage: a build stage, then a final stage without pip's work"
    assert all(rest.split()[0] == "${BASE_IMAGE}" for _, rest in (s[0] for s in stages))
    installs = [
        rest for stage in stages for keyword, rest in stage if keyword == "RUN" and "pip" in rest
    ]
    for command in installs:
        for part in re.split(r"&&", command):
            if re.search(r"pip3?\s+install", part):
                assert "--no-index" in part, f"installs from an index: {part.strip()}"
    final = stages[-1]
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}, "the final stage must run as a non-root user"
    assert not any(keyword == "RUN" and "pip" in rest for keyword, rest in final)


def test_compose_publishes_on_the_loopback_address_only(compose: dict[str, Any]) -> None:
    override = yaml.safe_load(TEST_OVERRIDE.read_text())
    problems = []
    for source, services in (
        ("docker-compose.yml", services_of(compose)),
        (TEST_OVERRIDE.name, override["services"]),
    ):
        for name, definition in services.items():
            for port in definition.get("ports") or []:
                published = port if isinstance(port, str) else str(port.get("host_ip", ""))
                if not published.startswith("127.0.0.1"):
                    problems.append(f"{source}: {name} publishes {port!r} beyond 127.0.0.1")
    assert not problems, "\n".join(problems)


def test_compose_test_publishes_every_web_process_where_the_harness_looks() -> None:
    # The harness's running-stack mode (tests/conftest.py) looks at port + this offset.
    harness = (ROOT / "tests" / "conftest.py").read_text()
    found = re.search(r"^COMPOSE_PORT_OFFSET = (\d+)$", harness, re.MULTILINE)
    assert found, "tests/conftest.py names no COMPOSE_PORT_OFFSET"
    offset = int(found.group(1))
    override = yaml.safe_load(TEST_OVERRIDE.read_text())["services"]
    for service in SERVICES:
        if "web" not in service.roles:
            continue
        wanted = f"127.0.0.1:{service.port + offset}:{service.port}"
        assert wanted in (override.get(service.name) or {}).get("ports", []), (
            f"{TEST_OVERRIDE.name} must publish {service.name} as {wanted}"
        )


def test_compose_images_can_be_replaced(compose: dict[str, Any]) -> None:
    text = COMPOSE_FILE.read_text()
    for variable, default in (
        ("BASE_IMAGE", "python:3.11-slim"),
        ("RABBITMQ_IMAGE", "rabbitmq:3-management"),
        ("POSTGRES_IMAGE", "postgres:15"),
    ):
        assert f"${{{variable}:-{default}}}" in text, f"compose must take {variable} ({default})"
