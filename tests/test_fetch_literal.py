"""literal_address: IP literals as ipaddress reads them, names told apart without it."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester._fetch.netsafety import literal_address


def _reference(host: str) -> object:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


@pytest.mark.parametrize(
    ("host", "literal"),
    [
        ("repository.example.ac.uk", None),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:10.0.0.1", "::ffff:a00:1"),
        ("fe80::1%eth0", "fe80::1%eth0"),
        ("1.2.3", None),
        ("256.0.0.1", None),
        ("١٢٧.0.0.1", None),  # Arabic-Indic digits are digits, not address digits
        ("", None),
    ],
)
def test_literal_address_reads_ip_literals_only(host: str, literal: str | None) -> None:
    got = literal_address(host)
    assert (str(got) if got is not None else None) == literal


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet="0123456789.:abcdefABCDEFgx[]%-٣", max_size=45)
       | st.ip_addresses().map(str) | st.ip_addresses(v=6).map(lambda ip: f"[{ip}]"))
def test_literal_address_reads_exactly_what_ipaddress_reads(host: str) -> None:
    assert literal_address(host) == _reference(host)
