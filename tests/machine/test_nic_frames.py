"""MAC addresses and Ethernet II frames: text forms, wire encoding, and clear errors for bad
bytes (a `MalformedFrame` naming the problem and its offset, never a traceback)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ebbrt.errors import EbbrtError
from ebbrt.machine import (BROADCAST, ETHERNET_MTU, ETHERTYPE_EXPERIMENTAL, EthernetFrame,
                           FrameError, MacAddress, MalformedFrame)
from ebbrt.machine._frames import ETHERNET_MIN_FRAME

A = MacAddress.parse("02:00:00:00:00:01")
B = MacAddress.parse("02:00:00:00:00:02")


def test_mac_text_round_trip_and_separators() -> None:
    mac = MacAddress.parse("02-AB-cd-00-10-ff")
    assert str(mac) == "02:ab:cd:00:10:ff"
    assert MacAddress.parse(str(mac)) == mac
    assert repr(mac) == "MacAddress('02:ab:cd:00:10:ff')"


@pytest.mark.parametrize("text", ["", "02:00:00:00:00", "02:00:00:00:00:01:03", "2:00:00:00:00:01",
                                  "02:00:00:00:00:0g", "0200.0000.0001"])
def test_bad_mac_text_is_a_frame_error_naming_it(text: str) -> None:
    with pytest.raises(FrameError, match="bad MAC address") as caught:
        MacAddress.parse(text)
    assert repr(text) in str(caught.value)
    assert isinstance(caught.value, EbbrtError) and isinstance(caught.value, ValueError)


def test_mac_for_node_is_deterministic_unicast_and_locally_administered() -> None:
    assert str(MacAddress.for_node(0)) == "02:00:00:00:00:01"
    assert str(MacAddress.for_node(1)) == "02:00:00:00:00:02"
    assert str(MacAddress.for_node(300, nic=2)) == "02:02:00:00:01:2d"
    macs = {MacAddress.for_node(n, i) for n in range(50) for i in range(3)}
    assert len(macs) == 150
    for mac in macs:
        assert mac.octets[0] & 0x02 and not mac.is_multicast
    with pytest.raises(FrameError, match="node must be"):
        MacAddress.for_node(-1)
    with pytest.raises(FrameError, match="nic in 0..255"):
        MacAddress.for_node(0, nic=256)


def test_broadcast_is_multicast() -> None:
    assert BROADCAST.is_broadcast and BROADCAST.is_multicast
    assert not A.is_broadcast
    assert MacAddress.parse("01:00:5e:00:00:01").is_multicast


def test_short_frame_is_padded_to_sixty_bytes_without_fcs() -> None:
    frame = EthernetFrame(B, A, ETHERTYPE_EXPERIMENTAL, b"hi")
    wire = frame.encode()
    assert len(wire) == ETHERNET_MIN_FRAME == frame.wire_length
    assert wire[:6] == B.octets and wire[6:12] == A.octets and wire[12:14] == b"\x88\xb5"
    assert wire[14:16] == b"hi" and wire[16:] == bytes(44)
    decoded = EthernetFrame.decode(wire)
    assert (decoded.dst, decoded.src, decoded.ethertype) == (B, A, ETHERTYPE_EXPERIMENTAL)
    assert decoded.payload == b"hi" + bytes(44)   # Ethernet cannot tell padding from data


def test_full_size_frame_round_trips_exactly() -> None:
    frame = EthernetFrame(B, A, 0x0800, bytes(range(256)) * 5 + bytes(220))
    assert len(frame.payload) == ETHERNET_MTU and frame.wire_length == 1514
    assert EthernetFrame.decode(frame.encode()) == frame
    assert frame.summary() == "02:00:00:00:00:01>02:00:00:00:00:02 type=0x0800 len=1514"


@given(st.binary(min_size=46, max_size=ETHERNET_MTU), st.integers(0x0600, 0xFFFF))
def test_frames_of_at_least_minimum_size_round_trip(payload: bytes, ethertype: int) -> None:
    frame = EthernetFrame(B, A, ethertype, payload)
    assert EthernetFrame.decode(frame.encode()) == frame


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"payload": bytes(ETHERNET_MTU + 1)}, "exceeds the MTU of 1500"),
    ({"ethertype": 0x05DC}, "bad ethertype 1500"),
    ({"ethertype": 0x10000}, "bad ethertype"),
    ({"payload": "text"}, "payload must be bytes"),
    ({"dst": "02:00:00:00:00:02"}, "dst must be a MacAddress"),
])
def test_impossible_frames_are_refused(kwargs: dict, message: str) -> None:
    fields = {"dst": B, "src": A, "ethertype": ETHERTYPE_EXPERIMENTAL, "payload": b""} | kwargs
    with pytest.raises(FrameError, match=message):
        EthernetFrame(**fields)


@pytest.mark.parametrize(("data", "offset", "problem"), [
    (b"", 0, "truncated header"),
    (bytes(13), 13, "truncated header"),
    (bytes(59), 59, "runt frame of 59 bytes"),
    (B.octets + A.octets + b"\x00\x2e" + bytes(46), 12, "802.3 length"),
    (B.octets + A.octets + b"\x88\xb5" + bytes(ETHERNET_MTU + 1), 1514, "exceeds the MTU"),
])
def test_malformed_bytes_name_the_problem_and_offset(data: bytes, offset: int,
                                                     problem: str) -> None:
    with pytest.raises(MalformedFrame) as caught:
        EthernetFrame.decode(data)
    assert caught.value.offset == offset
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"malformed Ethernet frame at byte {offset}: ")


@given(st.binary(max_size=1600))
def test_decoding_any_bytes_gives_a_frame_or_malformed_frame(data: bytes) -> None:
    try:
        frame = EthernetFrame.decode(data)
    except MalformedFrame as error:
        assert 0 <= error.offset <= len(data)
    else:
        assert frame.encode() == data
