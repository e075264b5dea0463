"""Which workflow actions this user may take on a document now: the buttons the detail shows.

The server is the authority (it refuses with 403/409 whatever breaks its rules, server/workflow.py)
and its `Document` carries no allowed-actions field, so the client mirrors the rule table here,
pure, to show only buttons that can work. Acting by delegation is not mirrored: a deputy sees the
principal's documents in the inbox, and the server accepts or refuses the action.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain import Document

STAFF = frozenset({"leader", "secretary", "specialist", "clerk"})
LEADER = frozenset({"leader"})
CLERK = frozenset({"clerk"})
WORKING = frozenset({"registered", "processing", "drafting", "returned"})
ANY = frozenset(
    {
        "registered",
        "processing",
        "drafting",
        "returned",
        "awaiting_approval",
        "awaiting_signature",
        "signed",
        "issued",
        "done",
    }
)


@dataclass(frozen=True, slots=True)
class Rule:
    """From which states, by which roles, needing which pending assignment (None: the role)."""

    sources: frozenset[str]
    roles: frozenset[str]
    needs: frozenset[str] | None
    endpoint: str  # POST /documents/{id}/<endpoint>


RULES: dict[str, Rule] = {
    "assign": Rule(frozenset({"registered", "processing"}), LEADER, frozenset({"route"}), "assign"),
    "forward": Rule(WORKING, STAFF, frozenset({"route", "process"}), "forward"),
    "attach": Rule(WORKING, STAFF, frozenset({"route", "process"}), "files"),
    "coordinate": Rule(WORKING - {"registered"}, STAFF, frozenset({"process"}), "coordinate"),
    "answer": Rule(WORKING | {"awaiting_approval"}, STAFF, frozenset({"coordinate"}), "answer"),
    "complete": Rule(frozenset({"processing"}), STAFF, frozenset({"process"}), "complete"),
    "submit": Rule(frozenset({"drafting", "returned"}), STAFF, frozenset({"process"}), "submit"),
    "approve": Rule(frozenset({"awaiting_approval"}), LEADER, frozenset({"approve"}), "approve"),
    "return": Rule(
        frozenset({"awaiting_approval", "awaiting_signature"}),
        LEADER,
        frozenset({"approve", "sign"}),
        "return",
    ),
    "sign": Rule(frozenset({"awaiting_signature"}), LEADER, frozenset({"sign"}), "sign"),
    "issue": Rule(frozenset({"signed"}), CLERK, frozenset({"issue"}), "issue"),
    "comment": Rule(ANY, STAFF, None, "comments"),
    "instruct": Rule(ANY, LEADER, None, "instructions"),
}
ACTIONS = tuple(RULES)


def allowed_actions(document: Document, user_id: int, roles: frozenset[str]) -> list[str]:
    """The actions (names of RULES, in its order) `user_id` with `roles` may take now."""
    pending = document.pending_actions(user_id)
    return [
        name
        for name, rule in RULES.items()
        if document.status in rule.sources
        and roles & rule.roles
        and (rule.needs is None or pending & rule.needs)
    ]


def endpoint(document_id: int, action: str) -> str:
    """The path an action is posted to."""
    return f"/documents/{document_id}/{RULES[action].endpoint}"
