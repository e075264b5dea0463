"""Idempotency-Key: one application per (user, key); repeats replay the stored answer."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.server.conftest import Api


def _comment_count(api: Api, document_id: int) -> int:
    return len(api.get(f"/documents/{document_id}").json()["comments"])


def test_repeat_is_replayed_not_reapplied(shared: Api) -> None:
    leader = shared.login("giamdoc")
    document_id = leader.get("/documents").json()[0]["id"]
    before = _comment_count(leader, document_id)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = leader.post(f"/documents/{document_id}/comments", {"text": "Đồng ý"}, headers=key)
    again = leader.post(f"/documents/{document_id}/comments", {"text": "Đồng ý"}, headers=key)
    assert first.status == again.status == 201
    assert first.json() == again.json()
    assert again.headers.get("idempotent-replayed") == "true"
    assert _comment_count(leader, document_id) == before + 1


def test_keys_are_per_user(shared: Api) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    leader, deputy = shared.login("giamdoc"), shared.login("phogiamdoc")
    document_id = 2  # 4821/BTTTT-CĐSQG: assigned to giamdoc; seen by the unit of its creator
    a = leader.post(f"/documents/{document_id}/comments", {"text": "A"}, headers=key)
    b = deputy.post("/meetings", {"title": "x"}, headers=key)
    assert a.status == 201
    assert b.status == 422  # deputy's own request ran (and failed validation), no replay of A
    assert b.headers.get("idempotent-replayed") is None


def test_same_key_for_another_request_is_refused(shared: Api) -> None:
    leader = shared.login("giamdoc")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert leader.post("/documents/1/comments", {"text": "A"}, headers=key).status == 201
    other = leader.post("/documents/2/comments", {"text": "A"}, headers=key)
    assert other.status == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")


def test_same_key_with_another_body_is_refused_not_replayed(shared: Api) -> None:
    """A client bug (or a reused key) must not be told its different request succeeded."""
    leader = shared.login("giamdoc")
    before = _comment_count(leader, 1)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert leader.post("/documents/1/comments", {"text": "Đồng ý"}, headers=key).status == 201
    other = leader.post("/documents/1/comments", {"text": "Không đồng ý"}, headers=key)
    assert other.status == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert other.headers.get("idempotent-replayed") is None
    same = leader.post("/documents/1/comments", {"text": "Đồng ý"}, headers=key)
    assert same.headers.get("idempotent-replayed") == "true"
    assert _comment_count(leader, 1) == before + 1


def test_errors_are_replayed_too_but_not_401(shared: Api) -> None:
    leader = shared.login("giamdoc")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    missing = leader.post("/documents/999999/comments", {"text": "A"}, headers=key)
    assert missing.status == 404
    assert (
        leader.post("/documents/999999/comments", {"text": "A"}, headers=key).headers.get(
            "idempotent-replayed"
        )
        == "true"
    )
    key2 = {"Idempotency-Key": str(uuid.uuid4())}
    assert (
        Api(shared.base, "bad").post("/documents/1/comments", {"text": "A"}, headers=key2).status
        == 401
    )
    assert leader.post("/documents/1/comments", {"text": "A"}, headers=key2).status == 201


def test_concurrent_twins_apply_once(shared: Api) -> None:
    """Eight copies of one request at once: one comment, eight identical answers, no 500."""
    leader = shared.login("giamdoc")
    document_id = 3
    before = _comment_count(leader, document_id)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    path = f"/documents/{document_id}/comments"
    with ThreadPoolExecutor(8) as pool:
        replies = list(
            pool.map(lambda _: leader.post(path, {"text": "Cùng lúc"}, headers=key), range(8))
        )
    assert {r.status for r in replies} == {201}
    assert len({r.body for r in replies}) == 1
    assert _comment_count(leader, document_id) == before + 1


def test_concurrent_distinct_writes_all_succeed(shared: Api) -> None:
    leader = shared.login("giamdoc")
    before = _comment_count(leader, 3)
    with ThreadPoolExecutor(8) as pool:
        replies = list(
            pool.map(
                lambda i: leader.post(
                    "/documents/3/comments",
                    {"text": f"#{i}"},
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                ),
                range(16),
            )
        )
    assert [r.status for r in replies] == [201] * 16
    assert _comment_count(leader, 3) == before + 16
