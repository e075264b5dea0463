"""The floor's client state without a server: who may speak under the mute option, my request,
and snapshots kept by revision (an older event arriving after a newer answer is dropped)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.meeting_room.speak import SpeakQueue, SpeakService


def request(rid: int, user: int, state: str, place: int | None) -> dict[str, Any]:
    return {
        "id": rid,
        "position": rid,
        "place": place,
        "user": {"id": user, "full_name": f"Người {user}"},
        "state": state,
        "requested_at": "2026-12-07T08:00:00+07:00",
    }


def queue(revision: int, muted: bool = False) -> SpeakQueue:
    return SpeakQueue.from_json(
        {
            "meeting_id": 7,
            "revision": revision,
            "muted_until_floor": muted,
            "speaker": request(1, 10, "granted", None),
            "queue": [request(2, 11, "queued", 1), request(3, 12, "queued", 2)],
            "extra": "a newer server's member",
        }
    )


def test_requests_and_the_mute_option() -> None:
    open_floor, held = queue(3), queue(3, muted=True)
    mine = held.request_of(12)
    assert mine is not None
    assert mine.place == 2
    speaker = held.request_of(10)
    assert speaker is not None
    assert speaker.state == "granted"
    assert held.request_of(99) is None
    assert open_floor.may_speak(11)  # nobody is held without the option
    assert held.may_speak(10)  # the speaker
    assert not held.may_speak(11)  # waiting: muted until given the floor
    assert held.may_speak(1, chair_ids=frozenset({1}))  # the chair is never held


class Outbox(QObject):
    """The one signal SpeakService connects to at construction (no server, no loop here)."""

    sent = Signal(str, object)


def test_an_older_snapshot_never_replaces_a_newer_one(qapp: Any) -> None:
    service = SpeakService(None, None, Outbox(), 7)  # type: ignore[arg-type]
    changes: list[None] = []
    service.changed.connect(lambda: changes.append(None))
    assert service.apply(queue(5))
    assert not service.apply(queue(4))  # a late event
    assert not service.apply(queue(5))  # the same again
    assert service.queue is not None
    assert service.queue.revision == 5
    assert service.apply(queue(1), force=True)  # after a resync the server may count anew
    assert len(changes) == 2
