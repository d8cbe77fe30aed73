"""The sandbox's SSH, SMTP and app-health endpoints, driven through real sockets and Airflow's hooks."""

# ruff: noqa: F811  (pytest fixtures imported from endpoints_fixtures are redefined as arguments)

from __future__ import annotations

import asyncio
import base64
import email.utils
import json
import os
import re
import smtplib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import httpx
import paramiko
import pytest
from airflow.providers.smtp.hooks.smtp import SmtpHook
from airflow.providers.ssh.hooks.ssh import SSHHook

from sandbox import app_health, smtp_sink, ssh_server
from sandbox.connections import SSH_LOGIN, connections
from tests.sandbox.endpoints_fixtures import EndpointServices, endpoints, mailbox, ssh_faults  # noqa: F401

CONN_ID = "ebill_ssh_sandbox"


# ------------------------------------------------------------------------------------------------
# SSH
# ------------------------------------------------------------------------------------------------


def run(command: str, hook: SSHHook | None = None, **kwargs) -> tuple[int, bytes, bytes]:
    hook = hook or SSHHook(ssh_conn_id=CONN_ID)
    with hook.get_conn() as client:
        return hook.exec_ssh_client_command(client, command, get_pty=False, environment=None, **kwargs)


def new_key(path: Path, algorithm: str = "ssh-ed25519") -> asyncssh.SSHKey:
    key = asyncssh.generate_private_key(algorithm)
    path.write_bytes(key.export_private_key("openssh"))
    path.chmod(0o600)
    return key


def mount_points(df_output: str) -> list[str]:
    lines = df_output.splitlines()
    assert lines[0].split()[:2] == ["Filesystem", "1024-blocks"], lines[0]
    return [line.split()[-1] for line in lines[1:]]


def test_prepare_writes_key_material_once(endpoints: EndpointServices) -> None:
    settings = endpoints.settings
    ssh_dir = settings.ssh_dir
    before = {p.name: p.read_bytes() for p in ssh_dir.iterdir() if p.is_file()}
    ssh_server.prepare(settings)
    after = {p.name: p.read_bytes() for p in ssh_dir.iterdir() if p.is_file()}
    assert before == after
    for name in ("ssh_host_ed25519_key", "ssh_host_ed25519_key.pub", "client_ed25519", "client_ed25519.pub"):
        assert name in after
    assert (ssh_dir / "client_ed25519").stat().st_mode & 0o777 == 0o600
    assert (ssh_dir / "client_ed25519.pub").stat().st_mode & 0o777 == 0o600
    assert (ssh_dir / "ssh_host_ed25519_key").stat().st_mode & 0o777 == 0o600
    assert after["authorized_keys"] == after["client_ed25519.pub"]
    host_pub = after["ssh_host_ed25519_key.pub"].decode().split()
    assert host_pub[0] == "ssh-ed25519"
    assert after["known_hosts"].decode() == f"[127.0.0.1]:{settings.port('ssh')} ssh-ed25519 {host_pub[1]}\n"
    assert ssh_server.host_key_extra(settings) == f"ssh-ed25519 {host_pub[1]}"


def test_sshhook_runs_df(endpoints: EndpointServices) -> None:
    status, out, err = run("df -P")
    assert (status, err) == (0, b"")
    local = subprocess.run(["df", "-P"], capture_output=True, text=True, check=True).stdout
    assert mount_points(out.decode()) == mount_points(local)


def test_sshhook_runs_shell_arithmetic(endpoints: EndpointServices) -> None:
    assert run("echo $((6*7))") == (0, b"42\n", b"")


def test_failing_command_returns_its_exit_code(endpoints: EndpointServices) -> None:
    assert run("echo partial; echo broken >&2; exit 7") == (7, b"partial\n", b"broken\n")
    assert run("false")[0] == 1
    status, _, err = run("no-such-command-ebill")
    assert status == 127
    assert b"not found" in err


def test_commands_get_the_client_environment(endpoints: EndpointServices) -> None:
    hook = SSHHook(ssh_conn_id=CONN_ID)
    with hook.get_conn() as client:
        status, out, _ = hook.exec_ssh_client_command(
            client, 'echo "$USER $EBILL_CHECK"', get_pty=False, environment={"EBILL_CHECK": "巡检"}
        )
    assert (status, out.decode()) == (0, f"{SSH_LOGIN} 巡检\n")


def test_stdin_and_large_output_are_streamed(endpoints: EndpointServices) -> None:
    assert run("head -c 3000000 /dev/zero | tr '\\0' x") == (0, b"x" * 3_000_000, b"")
    hook = SSHHook(ssh_conn_id=CONN_ID)
    with hook.get_conn() as client:
        channel = client.get_transport().open_session()
        channel.exec_command("wc -c")
        channel.sendall("票据\n".encode())
        channel.shutdown_write()
        out = channel.makefile("rb").read()
        assert channel.recv_exit_status() == 0
    assert out.strip() == str(len("票据\n".encode())).encode()


def test_unknown_client_key_is_refused(endpoints: EndpointServices, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger_ed25519"
    new_key(stranger)
    hook = SSHHook(ssh_conn_id=CONN_ID, key_file=str(stranger), conn_retry_attempts=1)
    with pytest.raises(paramiko.AuthenticationException):
        hook.get_conn()


def test_known_key_with_another_login_is_refused(endpoints: EndpointServices) -> None:
    hook = SSHHook(ssh_conn_id=CONN_ID, username="root", conn_retry_attempts=1)
    with pytest.raises(paramiko.AuthenticationException):
        hook.get_conn()


@pytest.mark.parametrize("algorithm", ["ssh-ed25519", "ssh-rsa"])
def test_client_pinning_another_host_key_is_refused(
    endpoints: EndpointServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, algorithm: str
) -> None:
    other = new_key(tmp_path / "other_host_key", algorithm)
    other_line = other.export_public_key("openssh").decode().split()
    conn = json.loads(os.environ["AIRFLOW_CONN_EBILL_SSH_SANDBOX"])
    conn["extra"]["host_key"] = f"{other_line[0]} {other_line[1]}"
    monkeypatch.setenv("AIRFLOW_CONN_EBILL_SSH_IMPOSTOR", json.dumps(conn))
    hook = SSHHook(ssh_conn_id="ebill_ssh_impostor", conn_retry_attempts=1)
    # Same type: the key differs (BadHostKeyException); other type: the server cannot offer it.
    with pytest.raises(paramiko.SSHException):
        hook.get_conn()
    if algorithm == "ssh-ed25519":
        with pytest.raises(paramiko.BadHostKeyException):
            SSHHook(ssh_conn_id="ebill_ssh_impostor", conn_retry_attempts=1).get_conn()


def test_bare_base64_host_key_is_read_as_rsa(
    endpoints: EndpointServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the connection's host_key needs the type: the provider parses a bare value as ssh-rsa."""
    conn = json.loads(os.environ["AIRFLOW_CONN_EBILL_SSH_SANDBOX"])
    conn["extra"]["host_key"] = ssh_server.host_key_extra(endpoints.settings).split()[1]
    monkeypatch.setenv("AIRFLOW_CONN_EBILL_SSH_BARE", json.dumps(conn))
    with pytest.raises(paramiko.SSHException, match="RSAKey"):
        SSHHook(ssh_conn_id="ebill_ssh_bare")


def test_connections_py_host_key_format(endpoints: EndpointServices) -> None:
    pinned = connections(endpoints.settings)["ebill_ssh_sandbox"]["extra"]["host_key"]
    assert pinned == ssh_server.host_key_extra(endpoints.settings)


def test_closing_the_channel_kills_the_command(endpoints: EndpointServices) -> None:
    hook = SSHHook(ssh_conn_id=CONN_ID)
    with hook.get_conn() as client:
        channel = client.get_transport().open_session()
        channel.exec_command("sleep 300 & echo $!; wait")
        pid = int(channel.makefile("rb").readline())
        assert _alive(pid)
        channel.close()
        deadline = time.monotonic() + 30
        while _alive(pid):
            assert time.monotonic() < deadline, f"pid {pid} still running after the channel closed"
            time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_interactive_shell_is_refused_politely(endpoints: EndpointServices) -> None:
    hook = SSHHook(ssh_conn_id=CONN_ID)
    with hook.get_conn() as client:
        channel = client.get_transport().open_session()
        channel.get_pty()
        channel.invoke_shell()
        status = channel.recv_exit_status()
        message = channel.makefile_stderr("rb").read()
    assert status == 1
    assert b"interactive shells are not supported" in message


def test_pty_request_is_accepted_and_ignored(endpoints: EndpointServices) -> None:
    hook = SSHHook(ssh_conn_id=CONN_ID)
    with hook.get_conn() as client:
        status, out, _ = hook.exec_ssh_client_command(client, "echo $((6*7))", get_pty=True, environment=None)
    assert (status, out) == (0, b"42\n")


def test_fault_refuse_drops_connections(ssh_faults) -> None:
    ssh_server.write_faults(ssh_faults, {"refuse": True})
    with pytest.raises(paramiko.SSHException, match="banner"):
        SSHHook(ssh_conn_id=CONN_ID, conn_retry_attempts=1).get_conn()
    ssh_server.clear_faults(ssh_faults)
    assert run("echo back")[:2] == (0, b"back\n")


def test_fault_canned_command_reply(ssh_faults) -> None:
    df = (
        "Filesystem     1024-blocks      Used Available Capacity Mounted on\n"
        "/dev/sda1        103081248  98927124   4154124      96% /\n"
    )
    ssh_server.write_faults(
        ssh_faults, {"delay_ms": 10, "commands": {"df -P": {"stdout": df, "stderr": "", "exit_status": 0}}}
    )
    assert run("df -P") == (0, df.encode(), b"")
    assert run("echo $((6*7))") == (0, b"42\n", b"")  # other commands still run for real


# ------------------------------------------------------------------------------------------------
# SMTP
# ------------------------------------------------------------------------------------------------

SUBJECT = "【电子票据】日常巡检报告 2026-12-01：磁盘使用率告警"
HTML = (
    "<html><body><h1>电子票据平台日常巡检</h1>"
    "<p>主机 <b>ebill-app-01</b> 磁盘使用率 <span style='color:red'>96%</span>，超过阈值 85%。</p>"
    "</body></html>"
)


def test_smtphook_sends_chinese_html_mail(mailbox) -> None:
    to = ["ops-a@hospital.example", "ops-b@hospital.example"]
    with SmtpHook(smtp_conn_id="smtp_default") as hook:
        hook.send_email_smtp(
            to=to,
            cc="finance@hospital.example",
            bcc=["audit@hospital.example"],
            subject=SUBJECT,
            html_content=HTML,
        )
    [message] = smtp_sink.wait_for(mailbox, lambda m: m["Subject"] == SUBJECT, timeout=10)
    assert str(message["Subject"]) == SUBJECT
    assert message["From"].addresses[0].addr_spec == "airflow-ebill@hospital.example"
    assert [a.addr_spec for a in message["To"].addresses] == to
    assert [a.addr_spec for a in message["Cc"].addresses] == ["finance@hospital.example"]
    assert "Bcc" not in message
    envelope_to = [addr for _, addr in email.utils.getaddresses([str(message["X-Envelope-To"])])]
    assert envelope_to == [*to, "finance@hospital.example", "audit@hospital.example"]
    assert message["Return-Path"] == "<airflow-ebill@hospital.example>"
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    assert body.get_content_charset() == "utf-8"
    assert body.get_content() == HTML


def test_messages_are_stored_atomically_in_arrival_order(mailbox) -> None:
    settings = mailbox
    subjects = [f"序号 {i}" for i in range(5)]
    with smtplib.SMTP(settings.host, settings.port("smtp"), timeout=10) as client:
        for subject in subjects:
            message = email.message.EmailMessage()
            message["Subject"] = subject
            message["From"] = "a@hospital.example"
            message["To"] = "b@hospital.example"
            message.set_content(f"正文 {subject}")
            client.send_message(message)
    got = smtp_sink.wait_for(settings, timeout=10, count=5)
    assert [str(m["Subject"]) for m in got] == subjects
    assert [m.get_content().strip() for m in got] == [f"正文 {s}" for s in subjects]
    names = [p.name for p in smtp_sink.message_paths(settings)]
    assert all(re.fullmatch(r"\d{8}-[0-9a-f]{32}\.eml", n) for n in names), names
    sequences = [int(n.split("-")[0]) for n in names]
    assert sequences == sorted(sequences) and len(set(sequences)) == 5
    assert sorted(p.name for p in settings.mail_dir.iterdir()) == sorted(names)  # no temp files left
    assert smtp_sink.clear(settings) == 5
    assert smtp_sink.messages(settings) == []


def test_auth_is_accepted_and_the_password_is_never_stored(mailbox) -> None:
    settings = mailbox
    password = "Pa55-never-on-disk-7f3a"
    for mechanism in ("PLAIN", "LOGIN"):
        with smtplib.SMTP(settings.host, settings.port("smtp"), timeout=10) as client:
            client.ehlo()
            assert client.has_extn("auth")
            client.user, client.password = "mailer", password
            code, _ = client.auth(
                mechanism, getattr(client, f"auth_{mechanism.lower()}"), initial_response_ok=True
            )
            assert code == 235
            client.sendmail(
                "mailer@hospital.example",
                ["ops@hospital.example"],
                f"Subject: auth {mechanism}\r\n\r\nok\r\n",
            )
    assert [str(m["Subject"]) for m in smtp_sink.wait_for(settings, timeout=10, count=2)] == [
        "auth PLAIN",
        "auth LOGIN",
    ]
    needles = [
        password.encode(),
        base64.b64encode(password.encode()),
        base64.b64encode(b"\0mailer\0" + password.encode()),
    ]
    for path in settings.directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(needle in data for needle in needles), path


def test_wait_for_times_out_with_what_it_saw(mailbox) -> None:
    with pytest.raises(TimeoutError, match="0 of 1"):
        smtp_sink.wait_for(mailbox, lambda m: False, timeout=0.2)


# ------------------------------------------------------------------------------------------------
# App health
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def app(endpoints: EndpointServices) -> Iterator[httpx.Client]:
    base = f"http://{endpoints.settings.host}:{endpoints.settings.port('app')}"
    with httpx.Client(base_url=base, timeout=30) as client:
        client.post("/admin/faults/clear").raise_for_status()
        yield client
        client.post("/admin/faults/clear").raise_for_status()


def test_health_version_and_middleware_answer(app: httpx.Client) -> None:
    health = app.get("/health")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "UP"
    assert {"db", "redis", "tomcat", "signature-client", "diskSpace"} <= set(body["components"])
    assert all(c["status"] == "UP" for c in body["components"].values())
    version = app.get("/version").json()
    assert version["ebill-platform"] == "5.3.2"
    assert version["signature-client"] == "2.1.0"
    assert version["tomcat"] == "9.0.85"
    assert version["jdk"] == "1.8.0_392"
    tomcat = app.get("/middleware/tomcat/status")
    assert tomcat.status_code == 200
    assert tomcat.json()["status"] == "UP" and tomcat.json()["version"] == "9.0.85"
    assert app.get("/middleware/redis/ping").json() == {"status": "UP", "component": "redis", "reply": "PONG"}
    for name in ("redis", "db", "signature-client"):
        assert app.get(f"/middleware/{name}/status").json()["status"] == "UP"


def test_fault_status_down_persists_across_restart(app: httpx.Client, endpoints: EndpointServices) -> None:
    assert app.put("/admin/faults", json={"status": "DOWN"}).status_code == 200
    down = app.get("/health")
    assert (down.status_code, down.json()["status"]) == (503, "DOWN")
    assert app.get("/middleware/tomcat/status").status_code == 503
    saved = json.loads((endpoints.settings.directory / "app_faults.json").read_text())
    assert saved["status"] == "DOWN"

    endpoints.restart("app")
    assert app.get("/admin/faults").json()["status"] == "DOWN"
    assert app.get("/health").status_code == 503

    assert app.post("/admin/faults/clear").json()["status"] == "UP"
    assert app.get("/health").status_code == 200
    endpoints.restart("app")
    assert app.get("/health").json()["status"] == "UP"


def test_fault_single_component_down(app: httpx.Client) -> None:
    app.put("/admin/faults", json={"components": {"redis": "DOWN"}}).raise_for_status()
    health = app.get("/health")
    assert health.status_code == 503
    components = health.json()["components"]
    assert components["redis"]["status"] == "DOWN"
    assert components["db"]["status"] == "UP"
    assert app.get("/middleware/redis/ping").status_code == 503
    assert app.get("/middleware/tomcat/status").status_code == 200


def test_fault_http_status_and_latency(app: httpx.Client) -> None:
    app.put("/admin/faults", json={"http_status": 500, "latency_ms": 20}).raise_for_status()
    assert app.get("/version").status_code == 500
    assert app.get("/health").status_code == 500
    assert app.get("/admin/faults").json() == {
        "status": "UP",
        "latency_ms": 20,
        "http_status": 500,
        "components": {},
    }
    app.put("/admin/faults", json={"latency_ms": 20}).raise_for_status()  # PUT replaces: 500 is gone
    assert app.get("/version").status_code == 200


def test_invalid_faults_are_rejected(app: httpx.Client) -> None:
    assert app.put("/admin/faults", json={"status": "MAYBE"}).status_code == 422
    assert app.put("/admin/faults", json={"components": {"kafka": "DOWN"}}).status_code == 422
    assert app.put("/admin/faults", json={"latency": 5}).status_code == 422
    assert app.get("/admin/faults").json()["status"] == "UP"


def test_services_registry_points_at_these_endpoints() -> None:
    from sandbox.services import SERVICES

    for name, module in (("ssh", ssh_server), ("smtp", smtp_sink), ("app", app_health)):
        assert SERVICES[name] == f"{module.__name__}:serve"
        assert asyncio.iscoroutinefunction(module.serve)
