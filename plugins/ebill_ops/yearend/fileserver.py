"""The file server holding layout files (版式文件): a local path, or a host reached over SSH.

Both offer the same few operations on paths relative to the layout root: hash files, write a
tar.gz archive atomically (temporary name, then rename), read an archive back member by member,
remove files, extract one member. Over SSH they run as shell commands (GNU tar, sha256sum,
xargs) because many file servers serve exec but not SFTP; nothing is copied to the worker.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import re
import shlex
import tarfile
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

MANIFEST_MEMBER = "MANIFEST.json"
SAFE_RELATIVE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+@-]*(/[A-Za-z0-9_][A-Za-z0-9_.+@-]*)*$")
CHUNK = 1 << 20


class FileServerError(RuntimeError):
    """The file server did not do what was asked (unreachable, command failed, no space...)."""


def safe_relative(path: str) -> bool:
    """A plain relative path: no absolute path, no '..', no control or shell characters."""
    return bool(SAFE_RELATIVE.match(path)) and ".." not in path.split("/")


@dataclass
class Readback:
    """What reading an archive back found: its own size and digest, and each member's."""

    size: int | None = None
    sha256: str | None = None
    members: dict[str, tuple[int, str]] = field(default_factory=dict)
    error: str | None = None


class FileServer(Protocol):
    def describe(self) -> str: ...
    def hash_files(self, paths: list[str]) -> dict[str, tuple[int, str]]: ...
    def write_archive(
        self, path: str, members: list[str], manifest: bytes, compresslevel: int
    ) -> tuple[int, str]: ...
    def write_text(self, path: str, text: str) -> None: ...
    def read_text(self, path: str) -> str | None: ...
    def read_archive(self, path: str) -> Readback: ...
    def remove_files(self, paths: list[str]) -> int: ...
    def extract_member(self, archive: str, member: str) -> bytes: ...
    def read_file(self, path: str) -> bytes: ...
    def close(self) -> None: ...


class _HashingWriter(io.RawIOBase):
    """Counts and hashes what gzip writes, so the archive's digest needs no second read."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.digest.update(view)
        self.size += len(view)
        self.target.write(view)
        return len(view)


class _HashingReader(io.RawIOBase):
    """Hashes every byte tar/gzip read, so one pass checks the file and its members."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.digest.update(data)
        self.size += n
        return n

    def drain(self) -> None:
        while chunk := self.source.read(CHUNK):
            self.digest.update(chunk)
            self.size += len(chunk)


def _sha256_file(handle: Any) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


class LocalFileServer:
    """Layout files on a path this worker can read (a local disk or a mounted share)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return f"local:{self.root}"

    def _path(self, rel: str) -> Path:
        if not safe_relative(rel):
            raise FileServerError(f"refusing unsafe path {rel!r}")
        return self.root / rel

    def hash_files(self, paths: list[str]) -> dict[str, tuple[int, str]]:
        found = {}
        for rel in paths:
            try:
                with open(self._path(rel), "rb") as handle:
                    found[rel] = _sha256_file(handle)
            except FileNotFoundError:
                continue
        return found

    def write_archive(
        self, path: str, members: list[str], manifest: bytes, compresslevel: int
    ) -> tuple[int, str]:
        target = self._path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
        try:
            with open(tmp, "wb") as raw:
                writer = _HashingWriter(raw)
                with tarfile.open(fileobj=writer, mode="w:gz", compresslevel=compresslevel) as tar:
                    info = tarfile.TarInfo(MANIFEST_MEMBER)
                    info.size, info.mtime, info.mode = len(manifest), int(time.time()), 0o644
                    tar.addfile(info, io.BytesIO(manifest))
                    for rel in members:
                        tar.add(self._path(rel), arcname=rel, recursive=False)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        return writer.size, writer.digest.hexdigest()

    def write_text(self, path: str, text: str) -> None:
        target = self._path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)

    def read_text(self, path: str) -> str | None:
        try:
            return self._path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def read_archive(self, path: str) -> Readback:
        result = Readback()
        try:
            with open(self._path(path), "rb") as raw:
                reader = _HashingReader(raw)
                with tarfile.open(fileobj=reader, mode="r|gz") as tar:
                    for member in tar:
                        if not member.isfile():
                            continue
                        extracted = tar.extractfile(member)
                        assert extracted is not None
                        result.members[member.name] = _sha256_file(extracted)
                reader.drain()
                result.size, result.sha256 = reader.size, reader.digest.hexdigest()
        except FileNotFoundError:
            result.error = "archive not found"
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
            result.error = f"unreadable archive: {type(exc).__name__}: {exc}"
        return result

    def remove_files(self, paths: list[str]) -> int:
        removed = 0
        parents = set()
        for rel in paths:
            target = self._path(rel)
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
                removed += 1
            parents.add(target.parent)
        for parent in sorted(parents, key=lambda p: len(p.parts), reverse=True):
            _prune_empty(parent, self.root)
        return removed

    def extract_member(self, archive: str, member: str) -> bytes:
        with tarfile.open(self._path(archive), mode="r:gz") as tar:
            handle = tar.extractfile(member)
            if handle is None:
                raise FileServerError(f"{member} is not a file in {archive}")
            return handle.read()

    def read_file(self, path: str) -> bytes:
        return self._path(path).read_bytes()

    def close(self) -> None:
        return None


def _prune_empty(directory: Path, root: Path) -> None:
    """Remove now-empty directories up to (not including) the root."""
    current = directory
    while current != root and root in current.parents:
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent


class SshFileServer:
    """Layout files on a host reached with an Airflow SSH connection; commands only (no SFTP).

    Needs GNU tar (``--to-command``), coreutils (sha256sum, stat) and xargs on the file server.
    """

    def __init__(self, ssh_conn_id: str, root: str, *, timeout: float = 900) -> None:
        if not root.startswith("/"):
            raise FileServerError("over SSH the layout root must be an absolute path")
        self.ssh_conn_id = ssh_conn_id
        self.root = root.rstrip("/")
        self.timeout = timeout
        self._client: Any = None

    def describe(self) -> str:
        return f"ssh:{self.ssh_conn_id}:{self.root}"

    def _ssh(self) -> Any:
        if self._client is None:
            from airflow.providers.ssh.hooks.ssh import SSHHook

            self._client = SSHHook(ssh_conn_id=self.ssh_conn_id).get_conn()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def run(self, command: str, stdin: bytes = b"", *, check: bool = True) -> tuple[int, bytes, bytes]:
        """Run ``command`` in the layout root with ``stdin``; returns (exit status, stdout, stderr)."""
        full = f"cd {shlex.quote(self.root)} && {command}"
        channel = self._ssh().get_transport().open_session(timeout=30)
        channel.settimeout(self.timeout)
        channel.exec_command(full)
        out, err = bytearray(), bytearray()
        view = memoryview(stdin)
        try:
            while view:
                sent = channel.send(view[:CHUNK])
                view = view[sent:]
                _drain(channel, out, err)
            channel.shutdown_write()
            while not channel.exit_status_ready() or channel.recv_ready() or channel.recv_stderr_ready():
                if not _drain(channel, out, err):
                    channel.status_event.wait(0.05)
            status = channel.recv_exit_status()
            _drain(channel, out, err)
        finally:
            channel.close()
        if check and status != 0:
            raise FileServerError(
                f"{command.split()[0]} failed on {self.describe()} ({status}): {err[-400:].decode(errors='replace')}"
            )
        return status, bytes(out), bytes(err)

    def hash_files(self, paths: list[str]) -> dict[str, tuple[int, str]]:
        for rel in paths:
            if not safe_relative(rel):
                raise FileServerError(f"refusing unsafe path {rel!r}")
        if not paths:
            return {}
        names = _nul(paths)
        _, digests, _ = self.run("xargs -0 -r sha256sum --", names, check=False)
        _, sizes, _ = self.run("xargs -0 -r stat -c '%s %n' --", names, check=False)
        size_of = dict(_split_pairs(sizes, reverse=True))
        found = {}
        for digest, rel in _split_pairs(digests):
            if rel in size_of:
                found[rel] = (int(size_of[rel]), digest)
        return found

    def write_archive(
        self, path: str, members: list[str], manifest: bytes, compresslevel: int
    ) -> tuple[int, str]:
        for rel in [path, *members]:
            if not safe_relative(rel):
                raise FileServerError(f"refusing unsafe path {rel!r}")
        directory = path.rsplit("/", 1)[0] if "/" in path else "."
        stage = f"{path}.stage"
        tmp = f"{path}.tmp"
        q = shlex.quote
        self.run(f"mkdir -p {q(directory)} {q(stage)} && cat > {q(stage + '/' + MANIFEST_MEMBER)}", manifest)
        command = (
            f"tar --use-compress-program={q(f'gzip -{int(compresslevel)}')} -cf {q(tmp)} "
            f"-C {q(stage)} {MANIFEST_MEMBER} -C {q(self.root)} --null -T - "
            f"&& sync {q(tmp)} && sha256sum -- {q(tmp)} && stat -c '%s' -- {q(tmp)} "
            f"&& mv -f -- {q(tmp)} {q(path)} && rm -rf -- {q(stage)}"
        )
        _, out, _ = self.run(command, _nul(members))
        lines = out.decode().split("\n")
        digest = lines[0].split()[0]
        return int(lines[1]), digest

    def write_text(self, path: str, text: str) -> None:
        if not safe_relative(path):
            raise FileServerError(f"refusing unsafe path {path!r}")
        q = shlex.quote
        directory = path.rsplit("/", 1)[0] if "/" in path else "."
        self.run(
            f"mkdir -p {q(directory)} && cat > {q(path + '.tmp')} && mv -f -- {q(path + '.tmp')} {q(path)}",
            text.encode(),
        )

    def read_text(self, path: str) -> str | None:
        status, out, _ = self.run(f"cat -- {shlex.quote(path)}", check=False)
        return out.decode("utf-8") if status == 0 else None

    def read_archive(self, path: str) -> Readback:
        q = shlex.quote
        # One process per member: the shell prints name and size, then becomes sha256sum.
        member_line = 'printf "%s\\t%s\\t" "$TAR_FILENAME" "$TAR_SIZE"; exec sha256sum'
        command = (
            f"test -f {q(path)} || {{ echo 'archive not found' >&2; exit 3; }}; "
            f"sha256sum -- {q(path)} | cut -d ' ' -f 1 && stat -c '%s' -- {q(path)} "
            f"&& tar -xzf {q(path)} --to-command={q(member_line)}"
        )
        status, out, err = self.run(command, check=False)
        result = Readback()
        lines = out.decode(errors="replace").splitlines()
        if status != 0 or len(lines) < 2:
            result.error = f"unreadable archive ({status}): {err.decode(errors='replace').strip()[-300:]}"
            return result
        result.sha256, result.size = lines[0].strip(), int(lines[1])
        for line in lines[2:]:
            name, size, digest = line.split("\t")
            result.members[name] = (int(size), digest.split()[0])
        return result

    def remove_files(self, paths: list[str]) -> int:
        for rel in paths:
            if not safe_relative(rel):
                raise FileServerError(f"refusing unsafe path {rel!r}")
        if not paths:
            return 0
        _, out, _ = self.run("xargs -0 -r rm -fv --", _nul(paths))
        parents = sorted({p.rsplit("/", 1)[0] for p in paths if "/" in p}, key=len, reverse=True)
        if parents:
            self.run("xargs -0 -r rmdir -p --ignore-fail-on-non-empty -- 2>/dev/null; true", _nul(parents))
        return len(out.splitlines())

    def extract_member(self, archive: str, member: str) -> bytes:
        q = shlex.quote
        _, out, _ = self.run(f"tar -xzOf {q(archive)} -- {q(member)}")
        return out

    def read_file(self, path: str) -> bytes:
        if not safe_relative(path):
            raise FileServerError(f"refusing unsafe path {path!r}")
        status, out, _ = self.run(f"cat -- {shlex.quote(path)}", check=False)
        if status != 0:
            raise FileNotFoundError(path)
        return out


def _drain(channel: Any, out: bytearray, err: bytearray) -> bool:
    got = False
    while channel.recv_ready():
        out += channel.recv(CHUNK)
        got = True
    while channel.recv_stderr_ready():
        err += channel.recv_stderr(CHUNK)
        got = True
    return got


def _nul(items: Iterable[str]) -> bytes:
    return b"".join(item.encode() + b"\0" for item in items)


def _split_pairs(output: bytes, *, reverse: bool = False) -> Iterator[tuple[str, str]]:
    """``<a> <b>`` lines of sha256sum (digest, path) or stat (size, path)."""
    for line in output.decode(errors="replace").splitlines():
        first, _, rest = line.partition(" ")
        if first and rest:
            rest = rest[1:] if rest.startswith((" ", "*")) and not reverse else rest
            yield (rest, first) if reverse else (first, rest)
