"""The vendor's signed-envelope protocol, shared by our client and the sandbox simulator.

Every request and answer is a JSON body ``{appid, data, noise, version, sign}``:

- ``data``: Base64 of the UTF-8 JSON parameters (Chinese text travels as UTF-8, never ``\\u`` escapes);
- ``noise``: unique per message (uuid4 hex); the platform refuses a noise it has already seen;
- ``version``: ``"1.0"``;
- ``sign``: upper-case hex MD5 of ``appid=<appid>&data=<data>&noise=<noise>&key=<key>&version=<version>``.

An answer's decoded data is ``{"result": "S0000" | "E....", "message": str, ...payload}``. MD5 is the
vendor's choice, not ours: it authenticates (the key never travels), it does not encrypt.
Pure functions, no I/O, no Airflow: the simulator imports this module too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from typing import Any

VERSION = "1.0"
SUCCESS = "S0000"

# Protocol-level result codes (the whole request). Documented in docs/finance-simulator.md.
E_SIGN = "E0001"  # sign mismatch
E_APPID = "E0002"  # unknown appid
E_NOISE = "E0003"  # duplicate noise (replay)
E_SERVICE = "E0004"  # unknown service
E_MALFORMED = "E0005"  # body is not a valid envelope (JSON, fields, Base64, version)
E_PARAMS = "E0006"  # parameters of the service are invalid
E_BUSY = "E0500"  # platform busy / internal error: transient, worth a retry
# Per-bill result codes.
E_BILL_DATA = "E2001"  # bad bill data (format); never stored
E_BILL_CONFLICT = "E2002"  # same code+number already held with other data
E_NOT_SUPERVISED = "E3001"  # archive: bill unknown or not supervised
E_NOT_FOUND = "E3002"  # query: bill unknown

ENVELOPE_FIELDS = ("appid", "data", "noise", "version", "sign")


class ProtocolError(ValueError):
    """A message that fails verification or decoding; ``code`` is the vendor result code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


def new_noise() -> str:
    return uuid.uuid4().hex


def make_sign(appid: str, data: str, noise: str, key: str, version: str = VERSION) -> str:
    text = f"appid={appid}&data={data}&noise={noise}&key={key}&version={version}"
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def encode_data(params: Mapping[str, Any]) -> str:
    text = json.dumps(params, ensure_ascii=False, separators=(",", ":"), default=str)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode_data(data: str) -> dict[str, Any]:
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ProtocolError(E_MALFORMED, "data is not valid Base64") from exc
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(E_MALFORMED, "data is not UTF-8 JSON") from exc
    if not isinstance(value, dict):
        raise ProtocolError(E_MALFORMED, "data must be a JSON object")
    return value


def _envelope(appid: str, key: str, params: Mapping[str, Any], noise: str | None) -> dict[str, str]:
    data = encode_data(params)
    noise = noise or new_noise()
    return {
        "appid": appid,
        "data": data,
        "noise": noise,
        "version": VERSION,
        "sign": make_sign(appid, data, noise, key, VERSION),
    }


def _check_fields(body: Any) -> dict[str, str]:
    if not isinstance(body, Mapping):
        raise ProtocolError(E_MALFORMED, "body must be a JSON object")
    missing = [name for name in ENVELOPE_FIELDS if not isinstance(body.get(name), str) or not body.get(name)]
    if missing:
        raise ProtocolError(E_MALFORMED, f"missing or empty fields: {', '.join(missing)}")
    if body["version"] != VERSION:
        raise ProtocolError(E_MALFORMED, f"unsupported version {body['version']!r}")
    return {name: body[name] for name in ENVELOPE_FIELDS}


def _verified(body: Any, key: str) -> dict[str, str]:
    fields = _check_fields(body)
    expected = make_sign(fields["appid"], fields["data"], fields["noise"], key, fields["version"])
    if not hmac.compare_digest(expected, fields["sign"].upper()):
        raise ProtocolError(E_SIGN, "sign mismatch")
    return fields


def encode_request(
    appid: str, key: str, params: Mapping[str, Any], noise: str | None = None
) -> dict[str, str]:
    """The signed request body for ``params`` (a fresh noise unless one is given)."""
    return _envelope(appid, key, params, noise)


def verify_and_decode(body: Any, key: str) -> tuple[str, dict[str, Any]]:
    """Check a request's fields and sign, then return ``(appid, params)``; raises ProtocolError."""
    fields = _verified(body, key)
    return fields["appid"], decode_data(fields["data"])


def encode_response(
    appid: str,
    key: str,
    result: str,
    message: str,
    payload: Mapping[str, Any] | None = None,
    noise: str | None = None,
) -> dict[str, str]:
    """A signed answer; ``result`` and ``message`` come first, ``payload`` keys follow."""
    data: dict[str, Any] = {"result": result, "message": message}
    for name, value in (payload or {}).items():
        if name not in data:
            data[name] = value
    return _envelope(appid, key, data, noise)


def decode_response(body: Any, key: str) -> dict[str, Any]:
    """Verify an answer's sign and return its data (with ``result`` and ``message``)."""
    fields = _verified(body, key)
    data = decode_data(fields["data"])
    if not isinstance(data.get("result"), str):
        raise ProtocolError(E_MALFORMED, "answer data has no result code")
    data.setdefault("message", "")
    return data


def peek_data(body: Any) -> dict[str, Any] | None:
    """The decoded data of a message WITHOUT verifying its sign: for error diagnostics only."""
    try:
        return decode_data(_check_fields(body)["data"])
    except ProtocolError:
        return None
