"""The document workflow as a pure state machine (no web layer, no database).

A document moves through these states (`Document.status`):

    incoming:  registered ──assign──▶ processing ──complete──▶ done
    outgoing:  drafting ──submit──▶ awaiting_approval ──approve──▶ awaiting_signature
                  ▲                        │                            │
                  └──────── returned ◀─return (with a reason)───────────┘
               awaiting_signature ──sign──▶ signed ──issue──▶ issued

Attach (a new version of the draft, or an attachment), forward (chuyển xử lý), coordinate
(phối hợp, several people at once), answer (the coordinator's opinion), comment and
instruction (ý kiến chỉ đạo) keep the state. Each transition says who may take it: a role,
and for most the actor must hold a pending assignment of a given action, or act for someone
who does and who delegated to them for the moment (ủy quyền). Checks run state first (a
repeated submission is a conflict, not a missing right), then the actor's right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

NEW = ""  # the pseudo-state of a document about to be created
REGISTERED = "registered"
PROCESSING = "processing"
DRAFTING = "drafting"
RETURNED = "returned"
AWAITING_APPROVAL = "awaiting_approval"
AWAITING_SIGNATURE = "awaiting_signature"
SIGNED = "signed"
ISSUED = "issued"
DONE = "done"
STATES = (
    REGISTERED,
    PROCESSING,
    DRAFTING,
    RETURNED,
    AWAITING_APPROVAL,
    AWAITING_SIGNATURE,
    SIGNED,
    ISSUED,
    DONE,
)
FINAL = frozenset({ISSUED, DONE})  # nothing is waited for any more: never overdue
LIVE = frozenset(STATES) - FINAL

STAFF = frozenset({"leader", "secretary", "specialist", "clerk"})  # never a guest or IT admin
LEADER = frozenset({"leader"})
CLERK = frozenset({"clerk"})

# What an assignment asks its holder to do (`Assignment.action`).
ROUTE = "route"  # the leader decides who processes an incoming document (phân công)
PROCESS = "process"
COORDINATE = "coordinate"
APPROVE = "approve"
SIGN = "sign"
ISSUE = "issue"


@dataclass(frozen=True, slots=True)
class Rule:
    """One transition: from which states, by which roles, needing which pending assignment
    (None: the role is enough), to which state (None: unchanged), and what becomes of the
    assignment the actor acted on (`done`, `forwarded`, or None: it stays pending)."""

    sources: frozenset[str]
    roles: frozenset[str]
    needs: frozenset[str] | None
    target: str | None
    closes: str | None = "done"


_WORKING = frozenset({REGISTERED, PROCESSING, DRAFTING, RETURNED})
_ANY = frozenset(STATES)

RULES: dict[str, Rule] = {
    "register": Rule(frozenset({NEW}), CLERK, None, REGISTERED, None),
    "create": Rule(frozenset({NEW}), STAFF - CLERK, None, DRAFTING, None),
    "assign": Rule(frozenset({REGISTERED, PROCESSING}), LEADER, frozenset({ROUTE}), PROCESSING),
    "forward": Rule(_WORKING, STAFF, frozenset({ROUTE, PROCESS}), None, "forwarded"),
    "attach": Rule(_WORKING, STAFF, frozenset({ROUTE, PROCESS}), None, None),
    "coordinate": Rule(_WORKING - {REGISTERED}, STAFF, frozenset({PROCESS}), None, None),
    "answer": Rule(_WORKING | {AWAITING_APPROVAL}, STAFF, frozenset({COORDINATE}), None),
    "complete": Rule(frozenset({PROCESSING}), STAFF, frozenset({PROCESS}), DONE),
    "submit": Rule(frozenset({DRAFTING, RETURNED}), STAFF, frozenset({PROCESS}), AWAITING_APPROVAL),
    "approve": Rule(
        frozenset({AWAITING_APPROVAL}), LEADER, frozenset({APPROVE}), AWAITING_SIGNATURE
    ),
    "return": Rule(
        frozenset({AWAITING_APPROVAL, AWAITING_SIGNATURE}),
        LEADER,
        frozenset({APPROVE, SIGN}),
        RETURNED,
    ),
    "sign": Rule(frozenset({AWAITING_SIGNATURE}), LEADER, frozenset({SIGN}), SIGNED),
    "issue": Rule(frozenset({SIGNED}), CLERK, frozenset({ISSUE}), ISSUED),
    "comment": Rule(_ANY, STAFF, None, None, None),
    "instruct": Rule(_ANY, LEADER, None, None, None),
}


@dataclass(frozen=True, slots=True)
class Holder:
    """Someone as the workflow sees them on one document: roles and pending assignments."""

    user_id: int
    roles: frozenset[str]
    pending: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Permit:
    """A transition allowed: the state it leads to, whose assignment it acts on (the actor's,
    or the principal's when acting by delegation) and which action that assignment has."""

    target: str
    holder_id: int
    acting_for: int | None
    action: str | None
    closes: str | None


class WorkflowError(Exception):
    """A refused transition; `status` is the HTTP status the API answers with."""

    def __init__(self, status: int, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail


def _fits(rule: Rule, holder: Holder) -> tuple[bool, str | None]:
    """Whether the holder may take the rule, and the action of the assignment acted on (None:
    the role is enough)."""
    if not rule.roles & holder.roles:
        return False, None
    if rule.needs is None:
        return True, None
    held = sorted(rule.needs & holder.pending)
    return (True, held[0]) if held else (False, None)


def authorise(
    transition: str, state: str, actor: Holder, principals: Iterable[Holder] = ()
) -> Permit:
    """May `actor` take `transition` on a document in `state`, by themselves or for one of the
    `principals` who delegated to them now? A Permit, or WorkflowError (409 wrong state,
    403 not assigned / role not allowed)."""
    rule = RULES[transition]
    if state not in rule.sources:
        raise WorkflowError(
            409,
            "wrong-state",
            f"A document in state '{state or 'new'}' cannot be given '{transition}'.",
        )
    target = state if rule.target is None else rule.target
    fits, action = _fits(rule, actor)
    if fits:
        return Permit(target, actor.user_id, None, action, rule.closes)
    if rule.needs is not None:  # only acts tied to an assignment can be delegated
        for principal in principals:
            fits, action = _fits(rule, principal)
            if fits:
                return Permit(target, principal.user_id, principal.user_id, action, rule.closes)
    if rule.needs is not None and rule.roles & actor.roles:
        raise WorkflowError(403, "not-assigned", "This document is not assigned to you for that.")
    raise WorkflowError(403, "forbidden", "Your role does not allow this.")


def allowed(state: str, actor: Holder, principals: Iterable[Holder] = ()) -> list[str]:
    """The transitions `actor` may take now (for buttons); creating ones are left out."""
    kept = tuple(principals)
    result = []
    for name in RULES:
        try:
            authorise(name, state, actor, kept)
        except WorkflowError:
            continue
        result.append(name)
    return result


def overdue(deadline: dt.datetime | None, state: str, now: dt.datetime) -> bool:
    """Past its deadline while still waiting for someone (final states are never overdue)."""
    return deadline is not None and state in LIVE and now > deadline


# --- delegation (ủy quyền) ------------------------------------------------------------------

# How the signer relates to the person whose authority they sign with (Decree 30, Art. 13):
# ký thay (a deputy for the head), thừa lệnh (the head's office by order), thừa ủy quyền
# (by written authorisation), quyền (acting head).
DELEGATION_PREFIX = {"deputy": "KT.", "by_order": "TL.", "authorised": "TUQ.", "acting": "Q."}


def active(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> bool:
    """A delegation holds from its start (inclusive) to its end (exclusive)."""
    return starts_at <= now < ends_at


def position_lines(signer_title: str, principal_title: str | None, kind: str | None) -> list[str]:
    """The position line(s) above the signature: "GIÁM ĐỐC" alone; acting for someone,
    "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC" (also TL., TUQ.), or "Q. GIÁM ĐỐC" on one line."""
    own = signer_title.upper()
    if kind is None or principal_title is None:
        return [own]
    head = f"{DELEGATION_PREFIX[kind]} {principal_title.upper()}"
    return [head] if kind == "acting" else [head, own]
