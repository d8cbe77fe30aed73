"""SSH endpoint of the sandbox: the hosts that the daily inspection checks over SSH.

A real SSH server (asyncssh) on ``settings.host:settings.port("ssh")``:

- **Key authentication only**, login name ``ops`` (``sandbox.connections.SSH_LOGIN``); the keys
  allowed are the lines of ``<ssh_dir>/authorized_keys`` (re-read on every connection). No
  passwords, no keyboard-interactive.
- Every **exec request** runs on this machine as ``/bin/sh -c <command>`` (a new process group,
  as the user running the sandbox, in the sandbox directory, with a small login-like environment
  plus whatever the client sent with ``env`` requests). stdout and stderr are streamed back as they
  come; the real exit status is returned (a child killed by signal ``n`` reports ``128 + n``, as a
  shell does). When the client closes the channel before the command ends, the whole process group
  is killed.
- A **pty request** is accepted and ignored (the command still runs on pipes, so ``sudo``-style
  commands sent with ``get_pty=True`` work); an **interactive shell** is refused politely: a
  message on stderr and exit status 1. No SFTP subsystem, no port forwarding.

``prepare(settings)`` creates, once, an ed25519 host key and an ed25519 client key pair, and
rewrites (every call, from those keys) ``authorized_keys`` and a ``known_hosts`` line for
``[host]:port``. The Airflow connection must pin the host key **with its type**::

    "host_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA..."   # == host_key_extra(settings)

(the SSH provider reads a bare base64 value as an RSA key).

Fault knobs for tests: ``<ssh_dir>/faults.json``, read once per connection (see ``write_faults``)::

    {"refuse": true}                      close every new connection before the SSH banner
    {"delay_ms": 1500}                    wait before running each command (a slow host)
    {"commands": {"df -P": {"stdout": "...", "stderr": "", "exit_status": 0}}}
                                          canned reply for an exact command (e.g. a full disk)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import tempfile
from pathlib import Path
from typing import Any

import asyncssh

from sandbox.connections import SSH_LOGIN
from sandbox.settings import SandboxSettings

log = logging.getLogger("sandbox.ssh")

HOST_KEY_NAME = "ssh_host_ed25519_key"
CLIENT_KEY_NAME = "client_ed25519"
AUTHORIZED_KEYS_NAME = "authorized_keys"
KNOWN_HOSTS_NAME = "known_hosts"
FAULTS_NAME = "faults.json"
KEY_ALGORITHM = "ssh-ed25519"

SHELL_REFUSED = (
    b"ebill sandbox: interactive shells are not supported; "
    b"send a command instead (ssh -p PORT ops@127.0.0.1 'df -P')\n"
)
_KILL_GRACE_SECONDS = 2.0
_CHUNK = 65536


# --------------------------------------------------------------------------------------------
# Key material
# --------------------------------------------------------------------------------------------


def host_key_path(settings: SandboxSettings) -> Path:
    return settings.ssh_dir / HOST_KEY_NAME


def client_key_path(settings: SandboxSettings) -> Path:
    return settings.ssh_dir / CLIENT_KEY_NAME


def faults_path(settings: SandboxSettings) -> Path:
    return settings.ssh_dir / FAULTS_NAME


def _write_atomic(path: Path, data: bytes, mode: int = 0o644, *, exclusive: bool = False) -> bool:
    """Write ``data`` to a temporary file in ``path``'s directory, then move it into place.

    ``exclusive``: never replace an existing file (the first writer wins); returns whether this
    call created the file.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            return True
        os.replace(tmp, path)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _ensure_private_key(path: Path, comment: str) -> asyncssh.SSHKey:
    if not path.exists():
        key = asyncssh.generate_private_key(KEY_ALGORITHM, comment=comment)
        _write_atomic(path, key.export_private_key("openssh"), 0o600, exclusive=True)
    os.chmod(path, 0o600)
    # Read back what is on disk: if another process won the race, its key is the one in use.
    return asyncssh.read_private_key(path)


def prepare(settings: SandboxSettings) -> None:
    """Create the host and client keys once; rewrite authorized_keys and known_hosts. Idempotent."""
    settings.ssh_dir.mkdir(parents=True, exist_ok=True)
    host_key = _ensure_private_key(host_key_path(settings), "ebill-sandbox-host")
    client_key = _ensure_private_key(client_key_path(settings), f"{SSH_LOGIN}@ebill-sandbox")
    host_pub = host_key.export_public_key("openssh")
    client_pub = client_key.export_public_key("openssh")
    _write_atomic(host_key_path(settings).with_name(HOST_KEY_NAME + ".pub"), host_pub)
    _write_atomic(client_key_path(settings).with_name(CLIENT_KEY_NAME + ".pub"), client_pub, 0o600)
    _write_atomic(settings.ssh_dir / AUTHORIZED_KEYS_NAME, client_pub, 0o600)
    _write_atomic(
        settings.ssh_dir / KNOWN_HOSTS_NAME,
        f"{_known_hosts_name(settings)} {host_key_extra(settings)}\n".encode(),
    )


def _known_hosts_name(settings: SandboxSettings) -> str:
    port = settings.port("ssh")
    return settings.host if port == 22 else f"[{settings.host}]:{port}"


def host_key_extra(settings: SandboxSettings) -> str:
    """The value of the Airflow SSH connection's ``host_key`` extra: ``"ssh-ed25519 <base64>"``."""
    pub = host_key_path(settings).with_name(HOST_KEY_NAME + ".pub")
    key_type, b64 = pub.read_text().split()[:2]
    return f"{key_type} {b64}"


# --------------------------------------------------------------------------------------------
# Fault knobs
# --------------------------------------------------------------------------------------------


def write_faults(settings: SandboxSettings, faults: dict[str, Any]) -> None:
    """Set the fault knobs that the next connections will see."""
    settings.ssh_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(faults_path(settings), json.dumps(faults, ensure_ascii=False).encode())


def clear_faults(settings: SandboxSettings) -> None:
    faults_path(settings).unlink(missing_ok=True)


def read_faults(settings: SandboxSettings) -> dict[str, Any]:
    try:
        value = json.loads(faults_path(settings).read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", faults_path(settings), exc)
        return {}
    return value if isinstance(value, dict) else {}


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------


class _State:
    """What one running ``serve()`` owns: open connections and running children."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self.children: set[asyncio.subprocess.Process] = set()


class _Server(asyncssh.SSHServer):
    def __init__(self, state: _State, faults: dict[str, Any]) -> None:
        self._state = state
        self._conn: asyncssh.SSHServerConnection | None = None
        self.faults = faults  # as read when this connection was accepted

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._state.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._state.connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        assert self._conn is not None
        if username == SSH_LOGIN:
            # Re-read on every connection, so that tests can add or revoke a key at run time.
            self._conn.set_authorized_keys(str(self._state.settings.ssh_dir / AUTHORIZED_KEYS_NAME))
        # Any other login name gets no keys at all: authentication is required and fails.
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False


def _command_env(state: _State, process: asyncssh.SSHServerProcess) -> dict[str, str]:
    conn = process.channel.get_connection()
    peer = conn.get_extra_info("peername") or ("", 0)
    sock = conn.get_extra_info("sockname") or ("", 0)
    # A login-like environment, not the sandbox process's own (which may hold connection URLs).
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(state.settings.directory),
        "USER": SSH_LOGIN,
        "LOGNAME": SSH_LOGIN,
        "SHELL": "/bin/sh",
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "SSH_CONNECTION": f"{peer[0]} {peer[1]} {sock[0]} {sock[1]}",
    }
    env.update({str(k): str(v) for k, v in process.env.items()})
    return env


async def _pump_out(reader: asyncio.StreamReader, writer: asyncssh.SSHWriter) -> None:
    """Copy a child's stdout/stderr to the channel; keep draining the pipe if the channel went away."""
    channel_open = True
    while chunk := await reader.read(_CHUNK):
        if not channel_open:
            continue
        try:
            writer.write(chunk)
            await writer.drain()
        except (OSError, asyncssh.Error):
            channel_open = False


async def _pump_in(reader: asyncssh.SSHReader, writer: asyncio.StreamWriter) -> None:
    """Copy the client's stdin to the child; close the child's stdin on EOF."""
    try:
        while chunk := await reader.read(_CHUNK):
            writer.write(chunk)
            await writer.drain()
    except (OSError, asyncssh.Error):
        pass
    finally:
        with contextlib.suppress(OSError):
            writer.close()


async def _kill_group(child: asyncio.subprocess.Process) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, sig)
        try:
            await asyncio.wait_for(asyncio.shield(child.wait()), _KILL_GRACE_SECONDS)
            return
        except TimeoutError:
            continue


def _send_exit(process: asyncssh.SSHServerProcess, status: int) -> None:
    with contextlib.suppress(OSError, asyncssh.Error):
        process.exit(status)


async def _handle_process(state: _State, server: _Server, process: asyncssh.SSHServerProcess) -> None:
    command = process.command
    if command is None:
        with contextlib.suppress(OSError, asyncssh.Error):
            process.stderr.write(SHELL_REFUSED)
        _send_exit(process, 1)
        return
    faults = server.faults
    if faults.get("delay_ms"):
        await asyncio.sleep(float(faults["delay_ms"]) / 1000)
    canned = (faults.get("commands") or {}).get(command.strip())
    if canned is not None:
        log.info("ssh exec %r: canned reply from faults.json", command)
        with contextlib.suppress(OSError, asyncssh.Error):
            process.stdout.write(str(canned.get("stdout", "")).encode())
            process.stderr.write(str(canned.get("stderr", "")).encode())
        _send_exit(process, int(canned.get("exit_status", 0)))
        return

    child = await asyncio.create_subprocess_exec(
        "/bin/sh",
        "-c",
        command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=state.settings.directory,
        env=_command_env(state, process),
        start_new_session=True,  # its own process group: killed as a whole on channel close
    )
    state.children.add(child)
    assert child.stdin and child.stdout and child.stderr
    feeder = asyncio.create_task(_pump_in(process.stdin, child.stdin))
    finished = asyncio.ensure_future(
        asyncio.gather(
            _pump_out(child.stdout, process.stdout),
            _pump_out(child.stderr, process.stderr),
            child.wait(),
        )
    )
    closed = asyncio.ensure_future(process.channel.wait_closed())
    try:
        await asyncio.wait({finished, closed}, return_when=asyncio.FIRST_COMPLETED)
        if finished.done():
            rc = child.returncode
            assert rc is not None
            status = rc if rc >= 0 else 128 - rc
            log.info("ssh exec %r: exit %d", command, status)
            _send_exit(process, status)
        else:
            log.info("ssh exec %r: channel closed by the client, killing the command", command)
            await _kill_group(child)
    finally:
        if child.returncode is None:
            await _kill_group(child)
        feeder.cancel()
        closed.cancel()
        if not finished.done():
            finished.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await finished
        state.children.discard(child)


async def _accept(state: _State, sock: socket.socket, faults: dict[str, Any]) -> None:
    """Run the SSH handshake and authentication of one accepted TCP connection."""
    settings = state.settings

    async def process_factory(process: asyncssh.SSHServerProcess) -> None:
        server = process.channel.get_connection().get_owner()
        assert isinstance(server, _Server)
        await _handle_process(state, server, process)

    peer = sock.getpeername()
    try:
        # Returns once the client is authenticated; the connection then runs on its own.
        await asyncssh.run_server(
            sock,
            server_factory=lambda: _Server(state, faults),
            server_host_keys=[str(host_key_path(settings))],
            process_factory=process_factory,
            encoding=None,  # bytes in and out: commands may print anything
            allow_pty=True,
            line_editor=False,
            x11_forwarding=False,
            agent_forwarding=False,
            allow_scp=False,
            login_timeout=60,
        )
    except (asyncssh.Error, OSError, TimeoutError) as exc:
        log.info("ssh connection from %s:%s not established: %s", peer[0], peer[1], exc)
        sock.close()


def _listen(settings: SandboxSettings) -> socket.socket:
    host, port = settings.bind_host, settings.port("ssh")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


async def serve(settings: SandboxSettings) -> None:
    """Serve SSH on ``settings.host:settings.port("ssh")`` until cancelled.

    The accept loop is ours (not ``asyncssh.listen``) so that ``faults.json`` is read before the
    server sends a single byte: a refused connection is closed before the SSH banner.
    """
    prepare(settings)
    state = _State(settings)
    loop = asyncio.get_running_loop()
    listener = _listen(settings)
    handshakes: set[asyncio.Task[None]] = set()
    log.info("ssh endpoint on %s:%d", settings.host, settings.port("ssh"))
    try:
        while True:
            sock, peer = await loop.sock_accept(listener)
            faults = read_faults(settings)
            if faults.get("refuse"):
                log.info("faults.json: refusing connection from %s:%s", peer[0], peer[1])
                sock.close()
                continue
            task = asyncio.create_task(_accept(state, sock, faults))
            handshakes.add(task)
            task.add_done_callback(handshakes.discard)
    finally:
        listener.close()
        for task in list(handshakes):
            task.cancel()
        for conn in list(state.connections):
            conn.abort()
        await asyncio.gather(
            *handshakes, *(_kill_group(child) for child in list(state.children)), return_exceptions=True
        )
