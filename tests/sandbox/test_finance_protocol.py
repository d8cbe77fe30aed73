"""The vendor's signed envelope: what the client and the simulator must agree on, byte for byte."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from ebill_ops.finance.protocol import (
    E_MALFORMED,
    E_SIGN,
    SUCCESS,
    ProtocolError,
    decode_response,
    encode_request,
    encode_response,
    make_sign,
    peek_data,
    verify_and_decode,
)

APPID = "HOSP-0001"
KEY = "0123456789abcdef0123456789abcdef"
PARAMS = {"bills": [{"billBatchCode": "44060126", "billNo": "0000000001", "totalAmt": "12.30"}], "n": 1}


def test_request_roundtrip_and_sign_formula() -> None:
    body = encode_request(APPID, KEY, PARAMS)
    assert set(body) == {"appid", "data", "noise", "version", "sign"}
    assert body["version"] == "1.0"
    text = f"appid={APPID}&data={body['data']}&noise={body['noise']}&key={KEY}&version=1.0"
    assert body["sign"] == hashlib.md5(text.encode()).hexdigest().upper()
    assert json.loads(base64.b64decode(body["data"])) == PARAMS
    assert verify_and_decode(body, KEY) == (APPID, PARAMS)


def test_every_request_gets_its_own_noise() -> None:
    noises = {encode_request(APPID, KEY, PARAMS)["noise"] for _ in range(50)}
    assert len(noises) == 50


def test_chinese_text_survives_as_utf8() -> None:
    params = {"payer": "张三", "placeCode": "门诊收费处", "items": ["西药费", "诊察费"]}
    body = encode_request(APPID, KEY, params)
    raw = base64.b64decode(body["data"])
    assert "张三".encode() in raw  # UTF-8, not \\u escapes
    assert verify_and_decode(body, KEY)[1] == params
    answer = encode_response(APPID, KEY, SUCCESS, "成功", {"note": "已监制"})
    assert decode_response(answer, KEY) == {"result": SUCCESS, "message": "成功", "note": "已监制"}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b.update(data=base64.b64encode(b'{"bills":[],"n":2}').decode()),
        lambda b: b.update(noise=b["noise"] + "0"),
        lambda b: b.update(appid="HOSP-0002"),
        lambda b: b.update(sign="0" * 32),
    ],
    ids=["data", "noise", "appid", "sign"],
)
def test_tampered_request_is_rejected(tamper) -> None:
    body = encode_request(APPID, KEY, PARAMS)
    tamper(body)
    with pytest.raises(ProtocolError) as info:
        verify_and_decode(body, KEY)
    assert info.value.code == E_SIGN


def test_wrong_key_is_rejected() -> None:
    body = encode_request(APPID, KEY, PARAMS)
    with pytest.raises(ProtocolError) as info:
        verify_and_decode(body, "another-key")
    assert info.value.code == E_SIGN


def _signed(data: str) -> dict[str, str]:
    return {
        "appid": APPID,
        "data": data,
        "noise": "n1",
        "version": "1.0",
        "sign": make_sign(APPID, data, "n1", KEY),
    }


@pytest.mark.parametrize(
    "body",
    [
        _signed("not base64!"),
        _signed(base64.b64encode(b"\xff\xfe").decode()),
        _signed(base64.b64encode(b"{not json").decode()),
        _signed(base64.b64encode(b"[1, 2]").decode()),
        {k: v for k, v in _signed(base64.b64encode(b"{}").decode()).items() if k != "noise"},
        {**_signed(base64.b64encode(b"{}").decode()), "version": "2.0"},
        ["not", "an", "object"],
    ],
    ids=["base64", "utf8", "json", "array", "missing-noise", "version", "not-object"],
)
def test_malformed_request_is_a_clear_error(body) -> None:
    with pytest.raises(ProtocolError) as info:
        verify_and_decode(body, KEY)
    assert info.value.code == E_MALFORMED
    assert info.value.message


def test_response_roundtrip_keeps_result_first() -> None:
    answer = encode_response(APPID, KEY, "E2001", "bad bill data", {"result": "S0000", "bills": [1]})
    data = decode_response(answer, KEY)
    assert data == {"result": "E2001", "message": "bad bill data", "bills": [1]}
    assert list(data)[:2] == ["result", "message"]


def test_response_with_wrong_key_is_rejected_but_can_be_peeked() -> None:
    answer = encode_response(APPID, "server-key", "E0001", "sign mismatch")
    with pytest.raises(ProtocolError) as info:
        decode_response(answer, KEY)
    assert info.value.code == E_SIGN
    assert peek_data(answer) == {"result": "E0001", "message": "sign mismatch"}


def test_response_without_result_is_rejected() -> None:
    body = encode_request(APPID, KEY, {"message": "no result here"})
    with pytest.raises(ProtocolError) as info:
        decode_response(body, KEY)
    assert info.value.code == E_MALFORMED


def test_protocol_and_client_import_without_airflow() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ebill_ops.finance.client, ebill_ops.finance.protocol; "
        "sys.exit(1 if any(m == 'airflow' or m.startswith('airflow.') for m in sys.modules) else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_documented_test_vector() -> None:
    """The example in docs/finance-simulator.md, so a site can check its own implementation."""
    body = encode_request(
        "SANDBOX-HOSP-0001",
        "0123456789abcdef0123456789abcdef",
        {"date": "2026-12-01"},
        noise="5f1c0e8a9b2d4c6e8f0a1b2c3d4e5f60",
    )
    assert body["data"] == "eyJkYXRlIjoiMjAyNi0xMi0wMSJ9"
    assert body["sign"] == "CBAC142AD8A70A6126D03E6F5D4B4895"
