"""SMTP sink of the sandbox: accepts every message and keeps it as a file.

An aiosmtpd server on ``settings.host:settings.port("smtp")``: plain SMTP (no TLS, no STARTTLS),
no authentication required. A client that insists on AUTH (PLAIN or LOGIN) is accepted with any
credentials; the password is never stored or logged (aiosmtpd's own logger is kept at WARNING).
SMTPUTF8 is offered.

Every message is written, before the server answers ``250``, as
``<mail_dir>/<8-digit sequence>-<uuid>.eml``: the raw RFC 822 bytes received, preceded by the two
delivery headers a real mailbox adds, ``Return-Path: <envelope sender>`` and
``X-Envelope-To: <envelope recipients>`` (so that Bcc recipients can be checked too). Files are
written to a temporary name and renamed, so readers never see half a message.

Helpers for tests and the demo read the directory and need no running server:
``messages``, ``message_paths``, ``clear``, ``wait_for``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import logging
import os
import re
import tempfile
import time
import uuid
import weakref
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from sandbox.settings import SandboxSettings

log = logging.getLogger("sandbox.smtp")

_NAME = re.compile(r"^(\d+)-[0-9a-f]{32}\.eml$")
SEQUENCE_WIDTH = 8
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


def prepare(settings: SandboxSettings) -> None:
    """Create the mail directory. Idempotent."""
    settings.mail_dir.mkdir(parents=True, exist_ok=True)


# --------------------------------------------------------------------------------------------
# Reading the sink (tests, demo)
# --------------------------------------------------------------------------------------------


def _sequence(path: Path) -> int | None:
    match = _NAME.match(path.name)
    return int(match.group(1)) if match else None


def message_paths(settings: SandboxSettings) -> list[Path]:
    """The stored ``.eml`` files in arrival order."""
    if not settings.mail_dir.is_dir():
        return []
    found = [(seq, p) for p in settings.mail_dir.iterdir() if (seq := _sequence(p)) is not None]
    return [p for _, p in sorted(found)]


def read_message(path: Path) -> EmailMessage:
    with path.open("rb") as fh:
        message = email.message_from_binary_file(fh, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def messages(settings: SandboxSettings) -> list[EmailMessage]:
    """Every stored message, parsed with ``email.policy.default``, in arrival order."""
    result = []
    for path in message_paths(settings):
        with contextlib.suppress(FileNotFoundError):  # cleared meanwhile
            result.append(read_message(path))
    return result


def clear(settings: SandboxSettings) -> int:
    """Delete every stored message; returns how many were deleted."""
    removed = 0
    for path in message_paths(settings):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed += 1
    return removed


def wait_for(
    settings: SandboxSettings,
    predicate: Callable[[EmailMessage], bool] = lambda _message: True,
    timeout: float = 10.0,
    *,
    count: int = 1,
) -> list[EmailMessage]:
    """Wait until at least ``count`` stored messages satisfy ``predicate``; return all that do.

    Polls the mail directory (every 10 ms at first, backing off to 200 ms) until ``timeout``
    seconds have passed, then raises ``TimeoutError`` listing the subjects that were there.
    """
    deadline = time.monotonic() + timeout
    interval = 0.01
    while True:
        found = messages(settings)
        matching = [m for m in found if predicate(m)]
        if len(matching) >= count:
            return matching
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            subjects = [str(m.get("Subject", "")) for m in found]
            raise TimeoutError(
                f"{len(matching)} of {count} expected message(s) after {timeout}s in "
                f"{settings.mail_dir}; subjects there: {subjects}"
            )
        time.sleep(min(interval, remaining))
        interval = min(interval * 2, 0.2)


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------


def _accept_any_credentials(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    login = getattr(auth_data, "login", None)
    # Keep the login name only; the password goes out of scope here.
    return AuthResult(success=True, auth_data=login)


class _Sink:
    """aiosmtpd handler: stores each message and answers 250 once it is on disk."""

    def __init__(self, settings: SandboxSettings) -> None:
        self._settings = settings
        existing = [_sequence(p) or 0 for p in message_paths(settings)]
        self._next = max(existing, default=0) + 1
        self._lock = asyncio.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content
        if raw is None:
            content = envelope.content or b""
            raw = content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content
        trace = (
            f"Return-Path: <{envelope.mail_from or ''}>\r\nX-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode("utf-8", "surrogateescape")
        async with self._lock:
            sequence = self._next
            self._next += 1
            name = f"{sequence:0{SEQUENCE_WIDTH}d}-{uuid.uuid4().hex}.eml"
            await asyncio.to_thread(_store, self._settings.mail_dir, name, trace + raw)
        log.info("stored %s from %s for %s", name, envelope.mail_from, envelope.rcpt_tos)
        return "250 2.0.0 OK: stored"


def _store(directory: Path, name: str, data: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, directory / name)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


async def serve(settings: SandboxSettings) -> None:
    """Serve SMTP on ``settings.host:settings.port("smtp")`` until cancelled."""
    prepare(settings)
    # aiosmtpd logs every command line at INFO (AUTH lines are masked, but keep it quiet anyway).
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    loop = asyncio.get_running_loop()
    handler = _Sink(settings)
    sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def factory() -> SMTP:
        protocol = SMTP(
            handler,
            hostname="smtp.ebill-sandbox.local",
            ident="ebill-sandbox SMTP sink",
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
            auth_required=False,
            auth_require_tls=False,  # plain SMTP: accept AUTH if a client insists
            authenticator=_accept_any_credentials,
            timeout=60,
            loop=loop,
        )
        sessions.add(protocol)
        return protocol

    server = await loop.create_server(factory, settings.bind_host, settings.port("smtp"), reuse_address=True)
    log.info("smtp sink on %s:%d -> %s", settings.host, settings.port("smtp"), settings.mail_dir)
    try:
        await asyncio.Event().wait()
    finally:
        server.close()
        for protocol in list(sessions):  # Python 3.11 leaves accepted connections open
            if protocol.transport is not None:
                protocol.transport.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 5)
