"""Consistency of docker-compose.yaml, docker/Dockerfile and docker/env.example.

No Docker engine runs where the tests run, so the stack is checked by reading it: references between
services, volumes and URLs resolve; the Airflow services share one image and environment; secrets are
never literal; the env template provides every variable and connection; sandbox ports and the
Airflow version agree with the code and the lock they come from.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from ebill_ops.config import CommonSettings, Connections
from sandbox import services as sandbox_services
from sandbox import settings as sandbox_settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
DOCKERIGNORE = ROOT / "docker" / "Dockerfile.dockerignore"
ENV_TEMPLATE = ROOT / "docker" / "env.example"
LOCK = ROOT / "requirements.lock"

AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}
AIRFLOW_INIT = "airflow-init"
LONG_RUNNING_WITH_HEALTHCHECK = [*AIRFLOW_SERVICES, "postgres", "redis", "sandbox", "sandbox-db", "oracle"]
# Connection ids the package uses (the brief's list) plus whatever ebill_ops.config.Connections names.
PACKAGE_CONN_IDS = {"ebill_db", "ebill_dba", "his_db", "ebops_db", "finance_gateway", "smtp_default"}
# Secrets every start needs: compose must refuse to run without them (${VAR:?...}).
REQUIRED_SECRETS = {
    "AIRFLOW_DB_PASSWORD",
    "REDIS_PASSWORD",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW_ADMIN_PASSWORD",
}
# Secrets only an optional profile needs (compose interpolates inactive profiles too, so these cannot
# use ":?"; their images refuse to initialise without them).
PROFILE_SECRETS = {"SANDBOX_DB_PASSWORD", "ORACLE_PASSWORD", "ORACLE_APP_USER_PASSWORD"}
SECRET_KEY_RE = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|PRIVATE_KEY|_KEY$", re.IGNORECASE)
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}; "$$" is a literal "$".
VAR_RE = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")
IMAGE_DEFAULT_PORTS = {"postgres": 5432, "redis": 6379}


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    data = yaml.safe_load(compose_text)  # resolves anchors and "<<" merge keys as compose does
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def parse_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a compose .env file (quotes removed); comments and blanks skipped."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key), f"{path.name}:{number}: not KEY=VALUE"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        assert key not in values, f"{path.name}:{number}: {key} assigned twice"
        values[key] = value
    return values


@pytest.fixture(scope="module")
def env_template() -> dict[str, str]:
    return parse_env_file(ENV_TEMPLATE)


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # ["KEY=VALUE", ...] form
        env = dict(item.partition("=")[::2] for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def depends_on(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return {name: (spec or {"condition": "service_started"}) for name, spec in deps.items()}


def mounts(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(source, target) of every volume entry, short or long syntax; mode suffixes dropped."""
    result = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            result.append((str(entry.get("source", "")), str(entry["target"])))
        else:
            parts = str(entry).split(":")
            if len(parts) == 1:  # anonymous volume
                result.append(("", parts[0]))
            else:
                result.append((parts[0], parts[1]))
    return result


def substitute(value: str, replacement: str = "placeholder") -> str:
    """Replace every ${...} reference so that URLs can be parsed."""
    return VAR_RE.sub(replacement, value)


def references(value: str) -> list[re.Match[str]]:
    return list(VAR_RE.finditer(value))


def command_text(service: dict[str, Any]) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else str(command)


def healthcheck_text(service: dict[str, Any]) -> str:
    test = (service.get("healthcheck") or {}).get("test") or []
    return " ".join(test) if isinstance(test, list) else str(test)


def container_port(service_name: str, service: dict[str, Any]) -> int:
    """The port a database/broker service listens on inside the network."""
    cmd = command_text(service)
    if match := re.search(r"(?:-p|--port)[ =](\d+)", cmd):
        return int(match.group(1))
    env = environment(service)
    if "PGPORT" in env:
        return int(env["PGPORT"])
    image = str(service.get("image", "")).split("/")[-1].split(":")[0]
    assert image in IMAGE_DEFAULT_PORTS, (
        f"{service_name}: unknown default port of image {service.get('image')}"
    )
    return IMAGE_DEFAULT_PORTS[image]


def published_container_ports(service: dict[str, Any]) -> set[int]:
    ports = set()
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            ports.add(int(entry["target"]))
        else:
            ports.add(int(substitute(str(entry)).rsplit(":", 1)[-1].split("/")[0]))
    return ports


def mount_target(service: dict[str, Any], source: str) -> str | None:
    for src, target in mounts(service):
        if src == source:
            return target
    return None


# --------------------------------------------------------------------------------------------------
# Shape of the file
# --------------------------------------------------------------------------------------------------
def test_compose_spec_without_obsolete_version_key(compose: dict[str, Any]) -> None:
    assert "version" not in compose, "the Compose spec has no 'version:' key (compose warns it is obsolete)"
    assert compose.get("name") == "ebill-ops"


def test_expected_services_exist(services: dict[str, dict[str, Any]]) -> None:
    expected = {*AIRFLOW_SERVICES, AIRFLOW_INIT, "postgres", "redis", "sandbox", "sandbox-db", "oracle"}
    assert expected <= set(services), f"missing services: {sorted(expected - set(services))}"


@pytest.mark.parametrize("name", LONG_RUNNING_WITH_HEALTHCHECK)
def test_long_running_services_have_healthchecks(services: dict[str, dict[str, Any]], name: str) -> None:
    check = services[name].get("healthcheck") or {}
    assert not check.get("disable"), f"{name}: healthcheck disabled"
    test = check.get("test")
    assert test and test != ["NONE"], f"{name}: no healthcheck"
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1, f"{name}: malformed healthcheck {test}"


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("airflow-apiserver", "/api/v2/monitor/health"),
        ("airflow-scheduler", ":8974/health"),
        ("airflow-dag-processor", "--job-type DagProcessorJob"),
        ("airflow-triggerer", "--job-type TriggererJob"),
        ("airflow-worker", "inspect ping"),
        ("postgres", "pg_isready"),
        ("sandbox-db", "pg_isready"),
        ("redis", "redis-cli ping"),
        ("oracle", "healthcheck.sh"),
        ("sandbox", "sandbox_healthcheck.py"),
    ],
)
def test_healthchecks_probe_the_right_thing(
    services: dict[str, dict[str, Any]], name: str, needle: str
) -> None:
    assert needle in healthcheck_text(services[name]), f"{name}: healthcheck does not use {needle!r}"


def test_scheduler_health_server_enabled(services: dict[str, dict[str, Any]]) -> None:
    assert environment(services["airflow-scheduler"]).get("AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK") == "true"


def test_healthcheck_helper_is_installed_where_the_healthcheck_runs_it() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert "docker/sandbox_healthcheck.py" in dockerfile and "/opt/ebill-ops/bin/" in dockerfile


# --------------------------------------------------------------------------------------------------
# References between services and volumes
# --------------------------------------------------------------------------------------------------
def test_depends_on_targets_exist(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for target in depends_on(service):
            assert target in services, f"{name} depends on unknown service {target!r}"
            assert target != name, f"{name} depends on itself"


def test_depends_on_conditions_are_satisfiable(services: dict[str, dict[str, Any]]) -> None:
    allowed = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services.items():
        for target, spec in depends_on(service).items():
            condition = spec.get("condition", "service_started")
            assert condition in allowed, f"{name} -> {target}: unknown condition {condition!r}"
            if condition == "service_healthy":
                assert services[target].get("healthcheck"), (
                    f"{name} waits for {target} healthy; it has no healthcheck"
                )
            if condition == "service_completed_successfully":
                assert services[target].get("restart", "no") == "no", (
                    f"{name} waits for {target} to exit; it restarts"
                )


def test_dependencies_on_optional_profiles_are_optional(services: dict[str, dict[str, Any]]) -> None:
    """A service may only require a service its own profiles always activate (compose refuses otherwise)."""
    for name, service in services.items():
        own = set(service.get("profiles") or [])
        for target, spec in depends_on(service).items():
            target_profiles = set(services[target].get("profiles") or [])
            if target_profiles and not (own and own <= target_profiles):
                assert spec.get("required") is False, (
                    f"{name} requires {target} (profiles {sorted(target_profiles)}): mark it required: false"
                )


def test_airflow_services_wait_for_database_broker_and_init(services: dict[str, dict[str, Any]]) -> None:
    for name in AIRFLOW_SERVICES:
        deps = depends_on(services[name])
        assert deps.get("postgres", {}).get("condition") == "service_healthy", name
        assert deps.get("redis", {}).get("condition") == "service_healthy", name
        assert deps.get(AIRFLOW_INIT, {}).get("condition") == "service_completed_successfully", name
    init_deps = depends_on(services[AIRFLOW_INIT])
    assert init_deps["postgres"]["condition"] == "service_healthy"
    worker_deps = depends_on(services["airflow-worker"])
    assert worker_deps["airflow-apiserver"]["condition"] == "service_healthy", (
        "workers need the Execution API"
    )
    assert depends_on(services["sandbox"])["sandbox-db"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["airflow-worker", "airflow-triggerer", "airflow-dag-processor"])
def test_components_that_use_connections_start_after_the_sandbox_wrote_them(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    spec = depends_on(services[name]).get("sandbox")
    assert spec == {"condition": "service_healthy", "required": False}, name


def test_named_volumes_are_declared_and_used(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in services.items():
        for source, target in mounts(service):
            assert target.startswith("/"), f"{name}: volume target {target!r} is not absolute"
            if not source or source.startswith((".", "/", "~", "$")):
                continue  # anonymous volume or bind mount
            assert source in declared, f"{name} uses undeclared named volume {source!r}"
            used.add(source)
    assert declared <= used, f"declared but unused volumes: {sorted(declared - used)}"


def test_bind_mount_sources_exist_in_the_checkout(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for source, _ in mounts(service):
            if source.startswith("./") and source != "./logs":  # ./logs is created at run time
                assert (ROOT / source).is_dir(), f"{name} mounts missing directory {source}"


# --------------------------------------------------------------------------------------------------
# One image and one environment for the Airflow services
# --------------------------------------------------------------------------------------------------
def test_airflow_services_share_the_common_anchor(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    common = compose["x-airflow-common"]
    common_env = environment(common)
    assert common["build"]["dockerfile"] == "docker/Dockerfile"
    for name in [*AIRFLOW_SERVICES, AIRFLOW_INIT]:
        service = services[name]
        assert service.get("image") == common["image"], f"{name}: image differs from x-airflow-common"
        assert service.get("build") == common["build"], f"{name}: build differs from x-airflow-common"
        assert service.get("env_file") == common["env_file"], f"{name}: env_file differs"
        env = environment(service)
        for key, value in common_env.items():
            assert env.get(key) == value, f"{name}: {key} differs from x-airflow-common"
    for name in AIRFLOW_SERVICES:
        assert services[name].get("user") == common["user"], f"{name}: user differs"
    # The sandbox runs the same image (it needs the project's dependencies), built the same way.
    assert services["sandbox"]["image"] == common["image"] and services["sandbox"]["build"] == common["build"]


def test_airflow_services_run_their_component(services: dict[str, dict[str, Any]]) -> None:
    for name, command in AIRFLOW_SERVICES.items():
        assert command_text(services[name]) == command, f"{name} runs {command_text(services[name])!r}"
    assert "airflow-init.sh" in " ".join(services[AIRFLOW_INIT]["entrypoint"])


def test_executor_is_celery(compose: dict[str, Any]) -> None:
    env = environment(compose["x-airflow-common"])
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"


def test_env_file_is_the_documented_dotenv(compose: dict[str, Any]) -> None:
    assert compose["x-airflow-common"]["env_file"] in (".env", [".env"])


def test_metadata_db_url_matches_postgres_service(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    env = environment(compose["x-airflow-common"])
    pg = services["postgres"]
    pg_env = environment(pg)
    for key, schemes in [
        ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", {"postgresql", "postgresql+psycopg2", "postgresql+psycopg"}),
        ("AIRFLOW__CELERY__RESULT_BACKEND", {"db+postgresql", "db+postgresql+psycopg2"}),
    ]:
        url = urlsplit(substitute(env[key]))
        assert url.scheme in schemes, f"{key}: scheme {url.scheme}"
        assert url.hostname in services, f"{key}: host {url.hostname} is not a service"
        assert url.hostname == "postgres"
        assert url.port == container_port("postgres", pg), f"{key}: port {url.port}"
        assert url.username == pg_env["POSTGRES_USER"], f"{key}: user"
        assert url.path.lstrip("/") == pg_env["POSTGRES_DB"], f"{key}: database"
        # The password in the URL is the same variable as the server's.
        url_vars = [m["name"] for m in references(env[key])]
        server_vars = [m["name"] for m in references(pg_env["POSTGRES_PASSWORD"])]
        assert url_vars == server_vars, f"{key}: password variable {url_vars} != postgres' {server_vars}"


def test_broker_url_matches_redis_service(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    env = environment(compose["x-airflow-common"])
    url = urlsplit(substitute(env["AIRFLOW__CELERY__BROKER_URL"]))
    assert url.scheme == "redis"
    assert url.hostname == "redis" and url.hostname in services
    assert url.port == container_port("redis", services["redis"])
    url_vars = [m["name"] for m in references(env["AIRFLOW__CELERY__BROKER_URL"])]
    server_vars = [m["name"] for m in references(command_text(services["redis"]))]
    assert url_vars and url_vars == server_vars, "broker password is not the one redis requires"


def test_execution_api_url_points_at_the_api_server(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    url = urlsplit(environment(compose["x-airflow-common"])["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert url.hostname == "airflow-apiserver" and url.hostname in services
    assert url.path == "/execution/"
    api = services["airflow-apiserver"]
    assert url.port in published_container_ports(api), "Execution API port is not the api-server's port"
    assert f":{url.port}/api/v2/monitor/health" in healthcheck_text(api)


def test_shared_secrets_come_from_the_environment(compose: dict[str, Any]) -> None:
    env = environment(compose["x-airflow-common"])
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY"):
        refs = references(env[key])
        assert len(refs) == 1 and refs[0].group(0) == env[key], (
            f"{key} must be exactly one ${{...}} reference"
        )
        assert refs[0]["op"] == ":?", f"{key} must be required (${{VAR:?...}})"


def test_simple_auth_manager_password_file_is_on_a_volume_shared_by_init_and_api_server(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    env = environment(compose["x-airflow-common"])
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
    password_dir = str(Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).parent)
    for name in ("airflow-apiserver", AIRFLOW_INIT):
        assert mount_target(services[name], "airflow-auth") == password_dir, name
    # Task code on workers has no business reading UI passwords.
    assert mount_target(services["airflow-worker"], "airflow-auth") is None


# --------------------------------------------------------------------------------------------------
# Project files inside the containers
# --------------------------------------------------------------------------------------------------
def test_project_mounted_where_ebill_ops_home_points(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    home = environment(compose["x-airflow-common"])["EBILL_OPS_HOME"]
    assert home == "/opt/airflow", (
        "EBILL_OPS_HOME must be AIRFLOW_HOME of the image (dags/ and plugins/ live there)"
    )
    for name in [*AIRFLOW_SERVICES, AIRFLOW_INIT]:
        service = services[name]
        assert environment(service)["EBILL_OPS_HOME"] == home
        for directory in ("dags", "plugins", "include", "sandbox", "logs"):
            assert mount_target(service, f"./{directory}") == f"{home}/{directory}", f"{name}: ./{directory}"


def test_artifacts_volume_is_where_the_package_writes(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    home = environment(compose["x-airflow-common"])["EBILL_OPS_HOME"]
    default_url = CommonSettings().artifacts_url.format(home=home)
    assert default_url.startswith("file://")
    path = default_url.removeprefix("file://")
    for name in AIRFLOW_SERVICES:
        assert mount_target(services[name], "artifacts") == path, f"{name}: artifacts not at {path}"


def test_config_path_is_inside_a_mounted_directory(compose: dict[str, Any]) -> None:
    env = environment(compose["x-airflow-common"])
    default = VAR_RE.sub(lambda m: m["arg"] if m["op"] in (":-", "-") else "", env["EBILL_OPS_CONFIG"])
    home = env["EBILL_OPS_HOME"]
    assert default == f"{home}/include/config/ebill_ops.yaml"
    assert (ROOT / "include" / "config" / "ebill_ops.yaml").is_file()


def test_worker_is_scalable(services: dict[str, dict[str, Any]]) -> None:
    worker = services["airflow-worker"]
    assert "container_name" not in worker and "hostname" not in worker, "fixed names break --scale"
    assert not worker.get("ports"), "a published host port breaks --scale"
    replicas = (worker.get("deploy") or {}).get("replicas", 1)
    assert isinstance(replicas, int) and replicas >= 1
    assert environment(worker).get("DUMB_INIT_SETSID") == "0", (
        "warm shutdown of Celery needs DUMB_INIT_SETSID=0"
    )


# --------------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------------
def _walk_strings(node: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [item for key, value in node.items() for item in _walk_strings(value, f"{path}.{key}")]
    if isinstance(node, list):
        return [item for i, value in enumerate(node) for item in _walk_strings(value, f"{path}[{i}]")]
    return [(path, str(node))] if node is not None else []


def test_no_literal_secrets(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRET_KEY_RE.search(key) and not key.endswith("_FILE"):
                refs = references(value)
                assert len(refs) == 1 and refs[0].group(0) == value, (
                    f"{name}.{key}: secret must be a ${{...}} reference"
                )
                assert refs[0]["op"] not in (":-", "-") or not refs[0]["arg"], (
                    f"{name}.{key}: secret has a default"
                )
        joined = [(".command", command_text(service)), (".healthcheck", healthcheck_text(service))]
        for where, value in [*_walk_strings(service), *joined]:
            # Passwords inside URLs: scheme://user:${VAR...}@host
            for match in re.finditer(r"[a-z0-9+]+://[^/@\s:]*:(?P<password>[^@\s]+)@", value):
                password = match["password"]
                refs = references(password)
                assert len(refs) == 1 and refs[0].group(0) == password, (
                    f"{name}{where}: literal password in URL"
                )
            # Password options on command lines (redis-server --requirepass, ...).
            for match in re.finditer(
                r"(?:requirepass|--password|PASSWORD=)\s*[\"']?(?P<value>[^\s\"']+)", value
            ):
                literal = match["value"]
                assert literal.startswith(("${", "$$", "\\$")), f"{name}{where}: literal password {literal!r}"


def test_required_secrets_fail_fast_and_profile_secrets_stay_in_their_profile(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    ops: dict[str, set[str]] = {}
    for match in (m for _, value in _walk_strings(compose) for m in VAR_RE.finditer(value)):
        ops.setdefault(match["name"], set()).add(match["op"] or "")
    for name in REQUIRED_SECRETS:
        assert ops.get(name) == {":?"}, (
            f"{name} must always be referenced as ${{{name}:?...}}, found {ops.get(name)}"
        )
    for name, service in services.items():
        used = {m["name"] for _, value in _walk_strings(service) for m in VAR_RE.finditer(value)}
        if not service.get("profiles"):
            assert not used & PROFILE_SECRETS, (
                f"{name} (always on) uses profile-only secrets {used & PROFILE_SECRETS}"
            )


def test_oracle_only_in_profile_oracle(services: dict[str, dict[str, Any]]) -> None:
    oracle = [name for name, s in services.items() if "oracle-free" in str(s.get("image", ""))]
    assert oracle == ["oracle"]
    service = services["oracle"]
    assert service.get("profiles") == ["oracle"]
    env = environment(service)
    assert {"ORACLE_PASSWORD", "APP_USER", "APP_USER_PASSWORD"} <= set(env)
    assert "gvenzl/oracle-free" in service["image"]
    for name, other in services.items():
        if name != "oracle" and "oracle" in depends_on(other):
            assert depends_on(other)["oracle"].get("required") is False, (
                f"{name} requires the optional oracle"
            )
    for entry in service.get("ports") or []:
        assert str(entry).startswith("127.0.0.1:"), "Oracle is published on loopback only"


def test_sandbox_in_its_own_profile(services: dict[str, dict[str, Any]]) -> None:
    assert services["sandbox"].get("profiles") == ["sandbox"]
    assert services["sandbox-db"].get("profiles") == ["sandbox"]


# --------------------------------------------------------------------------------------------------
# Env file template
# --------------------------------------------------------------------------------------------------
def test_env_template_documents_every_compose_variable(
    compose: dict[str, Any], env_template: dict[str, str]
) -> None:
    referenced = {m["name"] for _, value in _walk_strings(compose) for m in VAR_RE.finditer(value)}
    missing = referenced - set(env_template)
    assert not missing, f"variables of docker-compose.yaml missing from docker/env.example: {sorted(missing)}"
    for name in ("AIRFLOW__API_AUTH__JWT_SECRET", "ORACLE_PASSWORD", "EBILL_OPS_CONFIG"):
        assert name in env_template


def test_env_template_ships_no_secret_values(env_template: dict[str, str]) -> None:
    for name in REQUIRED_SECRETS | PROFILE_SECRETS:
        assert name in env_template, f"{name} missing from docker/env.example"
        assert env_template[name] == "", (
            f"docker/env.example must leave {name} empty (so compose asks for it)"
        )


def test_env_template_provides_every_connection_the_package_uses(env_template: dict[str, str]) -> None:
    conn_ids = PACKAGE_CONN_IDS | set(Connections().model_dump().values())
    for conn_id in sorted(conn_ids):
        key = f"AIRFLOW_CONN_{conn_id.upper()}"
        assert key in env_template, f"docker/env.example does not provide {key}"
    ssh = [k for k in env_template if k.startswith("AIRFLOW_CONN_EBILL_SSH_")]
    assert ssh, "docker/env.example should show one ebill_ssh_<host> connection"
    for key, value in env_template.items():
        if key.startswith("AIRFLOW_CONN_"):
            conn = json.loads(value)
            assert isinstance(conn, dict) and conn.get("conn_type"), f"{key}: JSON with a conn_type expected"


def test_env_template_sandbox_connections_file_is_the_one_the_sandbox_writes(
    compose: dict[str, Any], services: dict[str, dict[str, Any]], env_template: dict[str, str]
) -> None:
    sandbox_env = environment(services["sandbox"])
    directory = Path(sandbox_env["EBILL_SANDBOX_DIR"])
    expected = sandbox_settings.SandboxSettings(directory=directory).env_file
    assert env_template["EBILL_SANDBOX_CONNECTIONS"] == str(expected)
    # The Airflow services see the sandbox state at the same path (read-only).
    state_target = mount_target(services["sandbox"], "sandbox-state")
    assert state_target and directory.is_relative_to(state_target)
    for name in AIRFLOW_SERVICES:
        service = services[name]
        assert mount_target(service, "sandbox-state") == state_target, name
        entry = next(v for v in service["volumes"] if str(v).startswith("sandbox-state:"))
        assert str(entry).endswith(":ro"), f"{name}: sandbox state must be mounted read-only"
    assert environment(compose["x-airflow-common"])["EBILL_SANDBOX_DIR"] == str(directory)


def test_profiles_in_template_are_defined(
    services: dict[str, dict[str, Any]], env_template: dict[str, str]
) -> None:
    defined = {p for s in services.values() for p in s.get("profiles") or []}
    chosen = {p for p in env_template.get("COMPOSE_PROFILES", "").split(",") if p}
    assert chosen <= defined


# --------------------------------------------------------------------------------------------------
# Sandbox ports agree with sandbox/settings.py
# --------------------------------------------------------------------------------------------------
def test_sandbox_ports_match_settings(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EBILL_SANDBOX_PORT_BASE", raising=False)
    monkeypatch.delenv("EBILL_TEST_PG_URL", raising=False)
    default_base = sandbox_settings.SandboxSettings().port_base
    sandbox = services["sandbox"]
    env = environment(sandbox)
    assert int(env["EBILL_SANDBOX_PORT_BASE"]) == default_base
    expected = {default_base + sandbox_settings.PORT_OFFSETS[name] for name in sandbox_services.SERVICES}
    exposed = {int(p) for p in sandbox.get("expose") or []} | published_container_ports(sandbox)
    assert exposed == expected, f"sandbox exposes {sorted(exposed)}, settings say {sorted(expected)}"
    # PostgreSQL is the sandbox-db service, not a port of the sandbox container.
    assert default_base + sandbox_settings.PORT_OFFSETS["postgres"] not in exposed


def test_sandbox_database_url_matches_sandbox_db(services: dict[str, dict[str, Any]]) -> None:
    env = environment(services["sandbox"])
    db = services["sandbox-db"]
    db_env = environment(db)
    raw = env["EBILL_TEST_PG_URL"]
    url = urlsplit(substitute(raw))
    assert url.scheme in {"postgresql", "postgres"}
    assert url.hostname == "sandbox-db" and url.hostname in services
    assert url.port == container_port("sandbox-db", db)
    assert url.username == db_env["POSTGRES_USER"]
    assert [m["name"] for m in references(raw)] == [
        m["name"] for m in references(db_env["POSTGRES_PASSWORD"])
    ]
    # ebill_ops' performance checks read pg_stat_statements, which must be preloaded.
    assert "shared_preload_libraries=pg_stat_statements" in command_text(db)


def test_sandbox_service_runs_the_sandbox_cli(services: dict[str, dict[str, Any]]) -> None:
    sandbox = services["sandbox"]
    command = sandbox["command"]
    assert command[:3] == ["python", "-m", "sandbox"]
    env = environment(sandbox)
    assert env["EBILL_SANDBOX_HOST"] == "sandbox", "services must listen on/advertise the compose host name"
    assert env["CONNECTION_CHECK_MAX_COUNT"] == "0"


# --------------------------------------------------------------------------------------------------
# Dockerfile and the lock
# --------------------------------------------------------------------------------------------------
def _lock_version(package: str) -> str:
    match = re.search(rf"^{re.escape(package)}==(\S+)", LOCK.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{package} not pinned in requirements.lock"
    return match.group(1)


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def test_dockerfile_base_image_matches_the_locked_airflow_and_python() -> None:
    froms = [rest for keyword, rest in _dockerfile_instructions() if keyword == "FROM"]
    assert len(froms) == 1
    match = re.fullmatch(r"apache/airflow:(?P<airflow>[\d.]+)-python(?P<python>\d+\.\d+)", froms[0])
    assert match, f"unexpected base image {froms[0]}"
    assert match["airflow"] == _lock_version("apache-airflow"), "base image and requirements.lock disagree"
    assert match["airflow"] == _lock_version("apache-airflow-core")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f">={match['python']}" in requires
    # The build-time self-check asserts the same version.
    assert f"!= '{match['airflow']}'" in DOCKERFILE.read_text(encoding="utf-8")


def test_dockerfile_installs_the_lock_without_resolving() -> None:
    instructions = _dockerfile_instructions()
    text = DOCKERFILE.read_text(encoding="utf-8")
    copies = [rest for keyword, rest in instructions if keyword == "COPY" and "requirements.lock" in rest]
    assert copies, "requirements.lock is not copied into the image"
    lock_path = shlex.split(copies[0])[-1]
    installs = [
        rest
        for keyword, rest in instructions
        if keyword == "RUN" and re.search(r"\b(pip|uv pip) install\b", rest) and lock_path in rest
    ]
    assert installs, "no RUN installs requirements.lock"
    install = next(part for part in installs[0].split("&&") if re.search(r"\b(pip|uv pip) install\b", part))
    args = shlex.split(install)
    assert "-r" in args and args[args.index("-r") + 1] == lock_path
    assert "--no-deps" in args, "the lock is complete: install it with --no-deps"
    # Airflow's constraints file would fight the lock: no -c/--constraint, no constraints URL anywhere.
    assert not {"-c", "--constraint"} & set(args) and not any(a.startswith("--constraint=") for a in args)
    assert "apache/airflow/constraints" not in text


def test_dockerfile_copies_only_existing_paths_and_the_context_keeps_them() -> None:
    ignore = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    reincluded = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    for keyword, rest in _dockerfile_instructions():
        if keyword != "COPY":
            continue
        args = [a for a in shlex.split(rest) if not a.startswith("--")]
        for source in args[:-1]:
            assert (ROOT / source).exists(), f"COPY source {source} does not exist"
            top = source.split("/")[0]
            assert top in reincluded, f"COPY source {source} is excluded by {DOCKERIGNORE.name}"


def test_compose_builds_from_the_root_context(compose: dict[str, Any]) -> None:
    build = compose["x-airflow-common"]["build"]
    assert build["context"] == "."
    assert (ROOT / build["dockerfile"]) == DOCKERFILE
    assert DOCKERIGNORE.name == f"{DOCKERFILE.name}.dockerignore"


def test_entrypoint_chains_to_the_official_one() -> None:
    instructions = dict(_dockerfile_instructions())
    entrypoint = json.loads(instructions["ENTRYPOINT"])
    assert entrypoint[:2] == ["/usr/bin/dumb-init", "--"]
    script = ROOT / "docker" / Path(entrypoint[2]).name
    assert 'exec /entrypoint "$@"' in script.read_text(encoding="utf-8")


@pytest.mark.parametrize("script", ["ebill-entrypoint.sh", "airflow-init.sh"])
def test_shell_scripts_parse(script: str) -> None:
    result = subprocess.run(["bash", "-n", str(ROOT / "docker" / script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_pools_file_is_importable() -> None:
    pools = json.loads((ROOT / "docker" / "pools.json").read_text(encoding="utf-8"))
    assert {"ebill_db", "his_db"} <= set(pools)
    for name, pool in pools.items():
        assert isinstance(pool["slots"], int) and pool["slots"] >= 1, name
        assert pool.get("description"), name
        assert set(pool) <= {"slots", "description", "include_deferred", "team_name"}, name
