"""server/workflow.py without the web layer: every transition's states, roles, assignments and
delegation, overdue deadlines and the position line, table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from server import workflow as wf
from server.workflow import Holder, WorkflowError, authorise

NOW = dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC)


def leader(user_id: int = 1, *pending: str) -> Holder:
    return Holder(user_id, frozenset({"leader"}), frozenset(pending))


def specialist(user_id: int = 2, *pending: str) -> Holder:
    return Holder(user_id, frozenset({"specialist"}), frozenset(pending))


CLERK = Holder(3, frozenset({"clerk"}))
GUEST = Holder(4, frozenset({"guest"}))
ADMIN = Holder(5, frozenset({"it_admin"}))

# transition, state, actor → the state it leads to and what becomes of the acted-on assignment
ALLOWED = [
    ("register", wf.NEW, CLERK, wf.REGISTERED, None),
    ("create", wf.NEW, specialist(), wf.DRAFTING, None),
    ("assign", wf.REGISTERED, leader(1, "route"), wf.PROCESSING, "done"),
    ("assign", wf.PROCESSING, leader(1, "route"), wf.PROCESSING, "done"),
    ("forward", wf.REGISTERED, leader(1, "route"), wf.REGISTERED, "forwarded"),
    ("forward", wf.PROCESSING, specialist(2, "process"), wf.PROCESSING, "forwarded"),
    ("coordinate", wf.DRAFTING, specialist(2, "process"), wf.DRAFTING, None),
    ("attach", wf.RETURNED, specialist(2, "process"), wf.RETURNED, None),
    ("answer", wf.DRAFTING, specialist(2, "coordinate"), wf.DRAFTING, "done"),
    ("answer", wf.AWAITING_APPROVAL, leader(1, "coordinate"), wf.AWAITING_APPROVAL, "done"),
    ("complete", wf.PROCESSING, specialist(2, "process"), wf.DONE, "done"),
    ("submit", wf.DRAFTING, specialist(2, "process"), wf.AWAITING_APPROVAL, "done"),
    ("submit", wf.RETURNED, specialist(2, "process"), wf.AWAITING_APPROVAL, "done"),
    ("approve", wf.AWAITING_APPROVAL, leader(1, "approve"), wf.AWAITING_SIGNATURE, "done"),
    ("return", wf.AWAITING_APPROVAL, leader(1, "approve"), wf.RETURNED, "done"),
    ("return", wf.AWAITING_SIGNATURE, leader(1, "sign"), wf.RETURNED, "done"),
    ("sign", wf.AWAITING_SIGNATURE, leader(1, "sign"), wf.SIGNED, "done"),
    ("issue", wf.SIGNED, Holder(3, frozenset({"clerk"}), frozenset({"issue"})), wf.ISSUED, "done"),
    ("comment", wf.ISSUED, specialist(), wf.ISSUED, None),
    ("instruct", wf.PROCESSING, leader(), wf.PROCESSING, None),
]


@pytest.mark.parametrize(("name", "state", "actor", "target", "closes"), ALLOWED)
def test_allowed_transitions(
    name: str, state: str, actor: Holder, target: str, closes: str | None
) -> None:
    permit = authorise(name, state, actor)
    assert (permit.target, permit.closes, permit.acting_for) == (target, closes, None)
    assert permit.holder_id == actor.user_id


# transition, state, actor → the refusal (status, slug)
REFUSED = [
    # wrong state: a repeated submission, signing before approval, issuing unsigned
    ("submit", wf.AWAITING_APPROVAL, specialist(2, "process"), 409, "wrong-state"),
    ("sign", wf.AWAITING_APPROVAL, leader(1, "sign"), 409, "wrong-state"),
    ("issue", wf.AWAITING_SIGNATURE, CLERK, 409, "wrong-state"),
    ("issue", wf.ISSUED, CLERK, 409, "wrong-state"),
    ("complete", wf.DRAFTING, specialist(2, "process"), 409, "wrong-state"),
    ("register", wf.REGISTERED, CLERK, 409, "wrong-state"),
    ("coordinate", wf.REGISTERED, leader(1, "process"), 409, "wrong-state"),
    # right role, no assignment
    ("assign", wf.REGISTERED, leader(1), 403, "not-assigned"),
    ("sign", wf.AWAITING_SIGNATURE, leader(1, "approve"), 403, "not-assigned"),
    ("approve", wf.AWAITING_APPROVAL, leader(1, "sign"), 403, "not-assigned"),
    ("submit", wf.DRAFTING, specialist(2, "coordinate"), 403, "not-assigned"),
    ("answer", wf.DRAFTING, specialist(2, "process"), 403, "not-assigned"),
    ("attach", wf.AWAITING_SIGNATURE, specialist(2, "process"), 409, "wrong-state"),
    ("attach", wf.DRAFTING, specialist(2, "coordinate"), 403, "not-assigned"),
    # wrong role, even when assigned
    ("sign", wf.AWAITING_SIGNATURE, specialist(2, "sign"), 403, "forbidden"),
    ("register", wf.NEW, specialist(), 403, "forbidden"),
    ("create", wf.NEW, CLERK, 403, "forbidden"),
    ("issue", wf.SIGNED, leader(1, "issue"), 403, "forbidden"),
    ("issue", wf.SIGNED, CLERK, 403, "not-assigned"),
    ("instruct", wf.PROCESSING, specialist(), 403, "forbidden"),
    ("comment", wf.PROCESSING, GUEST, 403, "forbidden"),
    ("comment", wf.PROCESSING, ADMIN, 403, "forbidden"),
    (
        "forward",
        wf.PROCESSING,
        Holder(4, frozenset({"guest"}), frozenset({"process"})),
        403,
        "forbidden",
    ),
]


@pytest.mark.parametrize(("name", "state", "actor", "status", "slug"), REFUSED)
def test_refused_transitions(name: str, state: str, actor: Holder, status: int, slug: str) -> None:
    with pytest.raises(WorkflowError) as caught:
        authorise(name, state, actor)
    assert (caught.value.status, caught.value.slug) == (status, slug)


def test_every_state_is_reachable_and_every_rule_leads_somewhere_known() -> None:
    reached = {wf.NEW}
    for rule in wf.RULES.values():
        assert rule.sources <= set(wf.STATES) | {wf.NEW}
        if rule.target is not None:
            reached.add(rule.target)
    assert reached == set(wf.STATES) | {wf.NEW}


def test_a_deputy_acts_for_the_leader_who_delegated() -> None:
    giamdoc = leader(1, "sign")
    deputy = leader(7)
    permit = authorise("sign", wf.AWAITING_SIGNATURE, deputy, [giamdoc])
    assert (permit.acting_for, permit.holder_id, permit.action) == (1, 1, "sign")


def test_own_assignment_wins_over_a_delegation() -> None:
    permit = authorise("sign", wf.AWAITING_SIGNATURE, leader(7, "sign"), [leader(1, "sign")])
    assert (permit.acting_for, permit.holder_id) == (None, 7)


@pytest.mark.parametrize(
    ("principal", "transition", "state"),
    [
        (leader(1), "sign", wf.AWAITING_SIGNATURE),  # the principal holds nothing to sign
        (leader(1, "sign"), "approve", wf.AWAITING_APPROVAL),  # holds another action
    ],
)
def test_a_delegation_gives_only_what_the_principal_holds(
    principal: Holder, transition: str, state: str
) -> None:
    with pytest.raises(WorkflowError) as caught:
        authorise(transition, state, leader(7), [principal])
    assert caught.value.slug == "not-assigned"


def test_role_only_acts_are_not_delegated() -> None:
    """Registering is the clerk's by role: no delegation makes a specialist a clerk."""
    with pytest.raises(WorkflowError):
        authorise("register", wf.NEW, specialist(), [CLERK])


def test_allowed_lists_the_buttons() -> None:
    assert wf.allowed(wf.AWAITING_SIGNATURE, leader(1, "sign")) == [
        "return",
        "sign",
        "comment",
        "instruct",
    ]
    assert wf.allowed(wf.AWAITING_SIGNATURE, GUEST) == []


@pytest.mark.parametrize(
    ("deadline", "state", "expected"),
    [
        (None, wf.PROCESSING, False),
        (NOW - dt.timedelta(seconds=1), wf.PROCESSING, True),
        (NOW, wf.PROCESSING, False),
        (NOW + dt.timedelta(hours=1), wf.AWAITING_SIGNATURE, False),
        (NOW - dt.timedelta(days=3), wf.ISSUED, False),
        (NOW - dt.timedelta(days=3), wf.DONE, False),
        (NOW - dt.timedelta(days=3), wf.RETURNED, True),
    ],
)
def test_overdue(deadline: dt.datetime | None, state: str, expected: bool) -> None:
    assert wf.overdue(deadline, state, NOW) is expected


def test_delegation_period_is_half_open() -> None:
    start, end = NOW, NOW + dt.timedelta(days=2)
    assert wf.active(start, end, NOW)
    assert not wf.active(start, end, end)
    assert not wf.active(start, end, NOW - dt.timedelta(microseconds=1))


@pytest.mark.parametrize(
    ("signer", "principal", "kind", "lines"),
    [
        ("Giám đốc", None, None, ["GIÁM ĐỐC"]),
        ("Phó Giám đốc", "Giám đốc", "deputy", ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]),
        ("Chánh Văn phòng", "Giám đốc", "by_order", ["TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG"]),
        ("Chánh Văn phòng", "Giám đốc", "authorised", ["TUQ. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG"]),
        ("Phó Giám đốc", "Giám đốc", "acting", ["Q. GIÁM ĐỐC"]),
    ],
)
def test_position_lines(
    signer: str, principal: str | None, kind: str | None, lines: list[str]
) -> None:
    assert wf.position_lines(signer, principal, kind) == lines
