"""Stored password hashes as verifiers: "would this candidate log in?", answered offline.

A verifier holds the salt and digest it needs and nothing prints them (``repr`` names only the
scheme). Formats understood:

- the bill platform's ``password_algo``: any hashlib digest (md5, sha1, sha256, sha512, sm3, ...)
  of salt‖password (or password‖salt), hex; ``pbkdf2_<digest>`` as hex with the configured
  iterations or in Django's ``pbkdf2_sha256$<iterations>$<salt>$<base64>`` form; plain text;
- PostgreSQL's ``pg_shadow.passwd``: ``md5`` + md5(password‖role) and ``SCRAM-SHA-256$...``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from typing import Literal

PLAIN_ALGOS = frozenset({"plain", "plaintext", "clear", "none"})
WEAK_DIGESTS = frozenset({"md5", "sha1", "md5-sha1", "ripemd160"})


class UnsupportedHash(ValueError):
    """A stored hash this audit cannot test (its message never contains the hash)."""


class Verifier:
    """Base: ``matches(candidate)``; ``slow`` verifiers get only the head of the candidate list."""

    scheme = "?"
    slow = False
    iterations = 1  # cost of one candidate, in hash iterations (what the slow-hash budget divides)
    weakness = ""  # why the scheme itself is weak ("" when it is not)

    def matches(self, candidate: bytes) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def first_match(self, candidates: Sequence[bytes]) -> int | None:
        """Index of the first candidate that matches, or None (the hot loop of the audit)."""
        matches = self.matches
        for index, candidate in enumerate(candidates):
            if matches(candidate):
                return index
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.scheme}>"


class SaltedDigest(Verifier):
    """hashlib digest of salt‖password (prefix) or password‖salt (suffix)."""

    __slots__ = ("_digest", "_prefix", "_salt", "_suffix", "scheme", "weakness")

    def __init__(self, algo: str, salt: bytes, digest: bytes, position: Literal["prefix", "suffix"]):
        self.scheme = algo
        self._digest = digest
        self._salt = salt
        self._suffix = position == "suffix"
        self._prefix = hashlib.new(algo, b"" if self._suffix else salt)
        reasons = []
        if algo in WEAK_DIGESTS:
            reasons.append(f"{algo} 已不安全 is broken and fast")
        if not salt:
            reasons.append("无盐 unsalted")
        self.weakness = "; ".join(reasons)

    def matches(self, candidate: bytes) -> bool:
        h = self._prefix.copy()
        h.update(candidate + self._salt if self._suffix else candidate)
        return h.digest() == self._digest

    def first_match(self, candidates: Sequence[bytes]) -> int | None:
        # The salt prefix is hashed once; each candidate costs one state copy and one update.
        copy, digest, salt, suffix = self._prefix.copy, self._digest, self._salt, self._suffix
        for index, candidate in enumerate(candidates):
            h = copy()
            h.update(candidate + salt if suffix else candidate)
            if h.digest() == digest:
                return index
        return None


def _checked_iterations(iterations: int) -> int:
    """hashlib refuses 0 iterations mid-audit: say so up front, for this account only."""
    if iterations < 1:
        raise UnsupportedHash(f"the stored hash claims {iterations} iterations")
    return iterations


class Pbkdf2(Verifier):
    __slots__ = ("_digest", "_hash_name", "_salt", "iterations", "scheme")
    slow = True

    def __init__(self, hash_name: str, salt: bytes, iterations: int, digest: bytes):
        if not digest:
            raise UnsupportedHash("the stored hash is empty")
        self.scheme = f"pbkdf2_{hash_name}"
        self._hash_name, self._salt, self._digest = hash_name, salt, digest
        self.iterations = _checked_iterations(iterations)

    def matches(self, candidate: bytes) -> bool:
        derived = hashlib.pbkdf2_hmac(
            self._hash_name, candidate, self._salt, self.iterations, dklen=len(self._digest)
        )
        return hmac.compare_digest(derived, self._digest)


class PlainText(Verifier):
    __slots__ = ("_stored",)
    scheme = "plaintext"
    weakness = "明文存储 stored in plain text"

    def __init__(self, stored: bytes):
        self._stored = stored

    def matches(self, candidate: bytes) -> bool:
        return hmac.compare_digest(candidate, self._stored)


class PgMd5(Verifier):
    """PostgreSQL's ``md5`` + md5(password‖role name)."""

    __slots__ = ("_digest", "_role")
    scheme = "postgres-md5"
    weakness = "MD5 口令散列 MD5 password hash (use scram-sha-256)"

    def __init__(self, role: str, digest: bytes):
        self._role, self._digest = role.encode("utf-8"), digest

    def matches(self, candidate: bytes) -> bool:
        return hashlib.md5(candidate + self._role).digest() == self._digest


class Scram(Verifier):
    """PostgreSQL's ``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`` (RFC 5802/7677)."""

    __slots__ = ("_salt", "_stored_key", "iterations")
    scheme = "scram-sha-256"
    slow = True

    def __init__(self, iterations: int, salt: bytes, stored_key: bytes):
        self._salt, self._stored_key = salt, stored_key
        self.iterations = _checked_iterations(iterations)

    def matches(self, candidate: bytes) -> bool:
        salted = hashlib.pbkdf2_hmac("sha256", candidate, self._salt, self.iterations)
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        return hmac.compare_digest(hashlib.sha256(client_key).digest(), self._stored_key)


def _hex(text: str, length: int) -> bytes:
    try:
        raw = bytes.fromhex(text.strip())
    except ValueError:
        raise UnsupportedHash("the stored hash is not hexadecimal") from None
    if len(raw) != length:
        raise UnsupportedHash(f"the stored hash has {len(raw)} bytes, the algorithm gives {length}")
    return raw


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise UnsupportedHash("a base64 part of the stored hash is malformed") from None


def app_verifier(
    algo: str,
    salt: str,
    stored: str,
    *,
    position: Literal["prefix", "suffix"] = "prefix",
    pbkdf2_iterations: int = 10_000,
) -> Verifier:
    """The verifier of one ``ebill.app_user`` row; ``UnsupportedHash`` says why it cannot be tested."""
    name = (algo or "").strip().lower()
    salt_bytes = (salt or "").encode("utf-8")
    stored = stored or ""
    if name in PLAIN_ALGOS:
        return PlainText(stored.encode("utf-8"))
    if name.startswith("pbkdf2_"):
        hash_name = name.removeprefix("pbkdf2_")
        if hash_name not in hashlib.algorithms_available:
            raise UnsupportedHash(f"unknown digest in {name}")
        if stored.startswith(f"{name}$"):
            parts = stored.split("$")
            if len(parts) != 4 or not parts[1].isdigit():
                raise UnsupportedHash(f"{name}: expected {name}$<iterations>$<salt>$<base64 hash>")
            return Pbkdf2(hash_name, parts[2].encode("utf-8"), int(parts[1]), _b64(parts[3]))
        size = hashlib.new(hash_name).digest_size
        return Pbkdf2(hash_name, salt_bytes, pbkdf2_iterations, _hex(stored, size))
    if name.startswith(("bcrypt", "$2")) or stored.startswith(("$2a$", "$2b$", "$2y$")):
        raise UnsupportedHash("bcrypt is not tested (no bcrypt library in the stack); it is a strong scheme")
    if name not in hashlib.algorithms_available or name.startswith("shake"):
        raise UnsupportedHash(f"unknown password algorithm {algo!r}")
    size = hashlib.new(name).digest_size
    return SaltedDigest(name, salt_bytes, _hex(stored, size), position)


def pg_verifier(role: str, stored: str | None) -> Verifier | None:
    """The verifier of one ``pg_shadow`` row; None when the role has no password at all."""
    if stored is None or stored == "":
        return None
    if stored.startswith("md5") and len(stored) == 35:
        return PgMd5(role, _hex(stored[3:], 16))
    if stored.startswith("SCRAM-SHA-256$"):
        try:
            head, keys = stored.split("$", 1)[1].split("$", 1)
            iterations, salt = head.split(":", 1)
            stored_key, _server_key = keys.split(":", 1)
        except ValueError:
            raise UnsupportedHash("malformed SCRAM-SHA-256 verifier") from None
        if not iterations.isdigit():
            raise UnsupportedHash("malformed SCRAM-SHA-256 iteration count")
        return Scram(int(iterations), _b64(salt), _b64(stored_key))
    raise UnsupportedHash("unrecognised PostgreSQL password format")
