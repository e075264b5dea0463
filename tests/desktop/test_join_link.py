"""desktop/join_link.py: every accepted form, and hostile text refused with a reason."""

from __future__ import annotations

import pytest

from desktop.join_link import (
    MAX_LINK,
    BadLink,
    GuestLink,
    LinkProblem,
    MeetingLink,
    WhipLink,
    app_link,
    parse_link,
    same_server,
)

TOKEN = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFi"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "hopdesk://join?server=https://office.gov.vn&meeting=42",
            MeetingLink("https://office.gov.vn", meeting=42),
        ),
        (
            "hopdesk://join/?server=https%3A%2F%2FOffice.gov.vn%3A8443%2Fhop%2F&room=cds-cap-xa",
            MeetingLink("https://office.gov.vn:8443/hop", room="cds-cap-xa"),
        ),
        (
            "  <HOPDESK://join?meeting=7&server=http://127.0.0.1:8000>\n",
            MeetingLink("http://127.0.0.1:8000", meeting=7),
        ),
        (
            f"hopdesk://join?server=https://office.gov.vn&guest={TOKEN}",
            GuestLink("https://office.gov.vn", TOKEN),
        ),
        (
            "hopdesk://join?whip=https://media.example/whip/abc&token=s3cr.et",
            WhipLink("https://media.example/whip/abc", "s3cr.et"),
        ),
        (
            "https://office.gov.vn/api/v1/meetings/42",
            MeetingLink("https://office.gov.vn", meeting=42),
        ),
        (
            "https://office.gov.vn/hop/api/v1/meetings/42/",
            MeetingLink("https://office.gov.vn/hop", meeting=42),
        ),
        (
            "wss://office.gov.vn/api/v1/rooms/cds-cap-xa",
            MeetingLink("https://office.gov.vn", room="cds-cap-xa"),
        ),
        (
            "ws://[::1]:8000/api/v1/rooms/r1",
            MeetingLink("http://[::1]:8000", room="r1"),
        ),
        (f"https://office.gov.vn/guest#{TOKEN}", GuestLink("https://office.gov.vn", TOKEN)),
        (
            "http://10.0.0.5:7080/whip/endpoint/room1",
            WhipLink("http://10.0.0.5:7080/whip/endpoint/room1"),
        ),
    ],
)
def test_accepted_forms(text: str, expected: object) -> None:
    assert parse_link(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", LinkProblem.EMPTY),
        ("   ", LinkProblem.EMPTY),
        ("<>", LinkProblem.EMPTY),
        ("hopdesk://join?server=https://a.vn&meeting=1&x=" + "a" * MAX_LINK, LinkProblem.TOO_LONG),
        ("họp lúc 9 giờ", LinkProblem.NOT_A_LINK),
        ("hopdesk://join?server=https://a.vn&meeting=1\x00", LinkProblem.NOT_A_LINK),
        ("hopdesk://join?server=https://a.vn&meeting=1%0a2", LinkProblem.NOT_A_LINK),
        ("hopdesk://join?server=https://a.vn&meeting=%00", LinkProblem.NOT_A_LINK),
        ("hopdesk://join?server=https://a.vn\u202e&meeting=1", LinkProblem.NOT_A_LINK),
        ("javascript:alert(1)", LinkProblem.UNKNOWN_FORM),
        ("file:///etc/passwd", LinkProblem.UNKNOWN_FORM),
        ("hopdesk://settings?server=https://a.vn", LinkProblem.UNKNOWN_FORM),
        ("hopdesk://join/../../x?server=https://a.vn&meeting=1", LinkProblem.UNKNOWN_FORM),
        ("hopdesk://join?meeting=1", LinkProblem.UNKNOWN_FORM),
        ("hopdesk://join?server=https://a.vn", LinkProblem.UNKNOWN_FORM),
        ("https://office.gov.vn/api/v1/documents/3", LinkProblem.UNKNOWN_FORM),
        ("https://office.gov.vn/", LinkProblem.UNKNOWN_FORM),
        (
            "hopdesk://join?server=https://office.gov.vn@evil.example&meeting=1",
            LinkProblem.CREDENTIALS,
        ),
        ("https://user:pw@office.gov.vn/api/v1/meetings/1", LinkProblem.CREDENTIALS),
        ("hopdesk://join?server=file:///etc&meeting=1", LinkProblem.BAD_ADDRESS),
        ("hopdesk://join?server=javascript:alert(1)&meeting=1", LinkProblem.BAD_ADDRESS),
        ("hopdesk://join?server=https://xn--&meeting=1", LinkProblem.BAD_ADDRESS),
        ("hopdesk://join?server=https://оffice.gov.vn&meeting=1", LinkProblem.BAD_ADDRESS),
        ("hopdesk://join?server=https://a.vn:99999&meeting=1", LinkProblem.BAD_ADDRESS),
        ("hopdesk://join?server=https://a.vn:port&meeting=1", LinkProblem.BAD_ADDRESS),
        ("hopdesk://join?server=https://&meeting=1", LinkProblem.BAD_ADDRESS),
        ("hopdesk://join?server=https://a..vn&meeting=1", LinkProblem.BAD_ADDRESS),
        ("hopdesk://join?server=https://a.vn/?x=1&meeting=1", LinkProblem.BAD_ADDRESS),
        ("hopdesk://join?server=https://[::1&meeting=1", LinkProblem.BAD_ADDRESS),
        ("https://[::1/api/v1/meetings/1", LinkProblem.NOT_A_LINK),
        ("hopdesk://join?server=https://a.vn&meeting=0", LinkProblem.BAD_MEETING),
        ("hopdesk://join?server=https://a.vn&meeting=-1", LinkProblem.BAD_MEETING),
        ("hopdesk://join?server=https://a.vn&meeting=%2B1", LinkProblem.BAD_MEETING),
        ("hopdesk://join?server=https://a.vn&meeting=+1", LinkProblem.NOT_A_LINK),
        ("hopdesk://join?server=https://a.vn&meeting=0x10", LinkProblem.BAD_MEETING),
        ("hopdesk://join?server=https://a.vn&meeting=١٢", LinkProblem.BAD_MEETING),
        ("hopdesk://join?server=https://a.vn&meeting=99999999999", LinkProblem.BAD_MEETING),
        ("hopdesk://join?server=https://a.vn&meeting=", LinkProblem.BAD_MEETING),
        ("https://a.vn/api/v1/meetings/1e3", LinkProblem.BAD_MEETING),
        ("https://a.vn/api/v1/rooms/..", LinkProblem.BAD_MEETING),
        ("hopdesk://join?server=https://a.vn&room=a%2Fb", LinkProblem.BAD_MEETING),
        ("hopdesk://join?server=https://a.vn&guest=short", LinkProblem.BAD_TOKEN),
        ("https://a.vn/guest#" + "x" * 15, LinkProblem.BAD_TOKEN),
        ("https://a.vn/guest#<script>alert(1)</script>", LinkProblem.BAD_TOKEN),
        ("hopdesk://join?whip=https://m.vn/whip&token=", LinkProblem.BAD_TOKEN),
        ("hopdesk://join?server=https://a.vn&meeting=1&meeting=2", LinkProblem.REPEATED),
        ("hopdesk://join?server=https://a.vn&server=https://b.vn&meeting=1", LinkProblem.REPEATED),
    ],
)
def test_hostile_text_is_refused_with_a_reason(text: str, problem: LinkProblem) -> None:
    with pytest.raises(BadLink) as caught:
        parse_link(text)
    assert caught.value.problem is problem
    assert caught.value.user_message()  # a sentence for the dialog


def test_a_guest_token_never_shows_in_a_repr() -> None:
    link = parse_link(f"https://office.gov.vn/guest#{TOKEN}")
    assert TOKEN not in repr(link)
    assert isinstance(link, GuestLink)
    assert link.url == f"https://office.gov.vn/guest#{TOKEN}"
    whip = parse_link("hopdesk://join?whip=https://m.vn/whip/1&token=topsecret")
    assert "topsecret" not in repr(whip)


def test_app_link_round_trips() -> None:
    for link in (
        MeetingLink("https://office.gov.vn:8443/hop", meeting=42),
        MeetingLink("http://127.0.0.1:8000", room="cds-cap-xa"),
    ):
        assert parse_link(app_link(link)) == link


def test_same_server_ignores_case_default_port_and_trailing_slash() -> None:
    assert same_server("https://Office.gov.vn:443/", "https://office.gov.vn")
    assert same_server("http://127.0.0.1:8000/hop/", "http://127.0.0.1:8000/hop")
    assert not same_server("https://office.gov.vn", "http://office.gov.vn")
    assert not same_server("https://office.gov.vn", "https://office.gov.vn.evil.example")
    assert not same_server("https://office.gov.vn:8443", "https://office.gov.vn")
    assert not same_server("https://a.vn:bad", "https://a.vn")
