"""The client's copy of the workflow rules (the buttons it shows) against the server's table."""

from __future__ import annotations

from typing import Any

from desktop.domain import Document
from desktop.workflow_rules import RULES, allowed_actions, endpoint
from server import workflow


def test_the_client_rules_are_the_servers_for_every_user_action() -> None:
    server_actions = set(workflow.RULES) - {"register", "create"}  # made from the list page
    assert set(RULES) == server_actions
    for name, rule in RULES.items():
        theirs = workflow.RULES[name]
        assert (rule.sources, rule.roles, rule.needs) == (
            theirs.sources,
            theirs.roles,
            theirs.needs,
        ), name


def document(status: str, *assignments: tuple[int, str, str]) -> Document:
    payload: dict[str, Any] = {
        "id": 7,
        "summary": "Tờ trình",
        "status": status,
        "assignments": [
            {"id": i, "assignee": {"id": who, "full_name": "x"}, "action": act, "state": state}
            for i, (who, act, state) in enumerate(assignments)
        ],
    }
    return Document.from_json(payload)


def test_buttons_follow_state_role_and_my_pending_assignment() -> None:
    signing = document("awaiting_signature", (1, "sign", "pending"), (2, "approve", "done"))
    leader = frozenset({"leader"})
    assert allowed_actions(signing, 1, leader) == ["return", "sign", "comment", "instruct"]
    assert allowed_actions(signing, 2, leader) == ["comment", "instruct"]  # approval is done
    assert allowed_actions(signing, 1, frozenset({"guest"})) == []
    signed = document("signed", (1, "sign", "done"), (3, "issue", "pending"))
    assert allowed_actions(signed, 3, frozenset({"clerk"})) == ["issue", "comment"]
    assert allowed_actions(signed, 4, frozenset({"clerk"})) == ["comment"]  # not asked to
    assert endpoint(7, "comment") == "/documents/7/comments"
    assert endpoint(7, "attach") == "/documents/7/files"
