"""Personal notes (ghi chú cá nhân): the reader's `AnnotationStore`, kept on this computer and
synced with the user's other devices through the server (contract.md "Personal notes").

Every save or delete is written to the local store and queued in the outbox in one transaction,
by the store's writer thread (a lock held by another process never holds the window; `load`
answers from the notes not yet written meanwhile), then the outbox is asked to flush soon. Remote
changes come in three ways: `sync(target)` when a document opens, `note.updated` /
`note.deleted` events, and a 409 `stale-note` answer to one of our PUTs (the server's newer copy
is in the problem's `current`). All three go through one rule, `decide()`: the newest
`updated_at` wins, except that a local change the outbox has not sent yet is never replaced by
an older server copy, and a note gone from the server goes locally only if no local change of it
is waiting. `changed(target)` tells an open reader to reload.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol, TypeAlias, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.domain import Event
from desktop.errors import ApiError, HopDeskError, MalformedResponse, Problem
from desktop.refresher import Refresher
from viewer import Annotation, AnnotationKind, AnnotationStoreError

if TYPE_CHECKING:
    from desktop.events import EventStream
    from desktop.outbox import Outbox
    from desktop.session import Session
    from desktop.store import LocalStore

log = logging.getLogger(__name__)

Note: TypeAlias = Annotation
"""A personal note: what the reader (viewer/) calls an annotation. One thing, one name from here
up: desktop/ and ui/ say "note", as the contract and the users (ghi chú) do."""
JsonObject: TypeAlias = dict[str, object]

NOTES_PATH = "/notes/"
EVENT_TYPES = frozenset({"note.updated", "note.deleted"})
STALE = "stale-note"
AGENDA = "agenda:"  # the target prefix of the meeting room's notes (desktop/meeting_room)

# The viewer's kinds and the contract's note kinds, both ways.
CONTRACT_KIND: Mapping[AnnotationKind, str] = {
    AnnotationKind.HIGHLIGHT: "highlight",
    AnnotationKind.UNDERLINE: "underline",
    AnnotationKind.STRIKEOUT: "strike",
    AnnotationKind.NOTE: "text",
    AnnotationKind.INK: "ink",
    AnnotationKind.RECT: "rect",
}
VIEWER_KIND: Mapping[str, AnnotationKind] = {note: kind for kind, note in CONTRACT_KIND.items()}


@contextmanager
def _store_errors() -> Iterator[None]:
    """Local database failures as `AnnotationStoreError`, the Protocol's one error (the reader
    tells the user and keeps its list as it was)."""
    try:
        yield
    except (sqlite3.Error, RuntimeError) as exc:
        raise AnnotationStoreError(str(exc)) from exc


# --- conversion (pure) --------------------------------------------------------------------------
def note_json(note: Note) -> JsonObject:
    """The contract's `Note` (with `id`)."""
    return {**note.to_json(), "kind": CONTRACT_KIND[note.kind]}


def note_body(note: Note) -> JsonObject:
    """The body of `PUT /notes/{id}`: the `Note` without its id, with `updated_at`."""
    body = note_json(note)
    del body["id"]
    return body


def parse_note(data: object) -> Note:
    """Parse a `Note` (the server's, or one stored locally); raises `MalformedResponse`."""
    if not isinstance(data, Mapping):
        raise MalformedResponse("note", f"expected an object, got {type(data).__name__}")
    try:
        kind = VIEWER_KIND[str(data.get("kind"))]
        return Note.from_json({**data, "kind": kind.value})
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise MalformedResponse("note", repr(exc)) from exc


class Dated(Protocol):
    """A note as `decide` sees it: a reader's note, or an agenda item's (item_notes.py)."""

    @property
    def updated_at(self) -> dt.datetime: ...


D = TypeVar("D", bound=Dated)


def decide(local: D | None, remote: D | None, pending: bool) -> D | None:
    """Which version of one note to keep locally (None: no note).

    `local`/`remote` are this computer's and the server's copies (None when absent);
    `pending` says the outbox still holds a local change (a save or a delete) of the note.
    """
    if pending:
        newer_remote = (
            local is not None and remote is not None and remote.updated_at > local.updated_at
        )
        return remote if newer_remote else local  # the outbox will send ours
    if remote is None or local is None:
        return remote  # deleted on the server, or new from it
    return remote if remote.updated_at >= local.updated_at else local


class NotesService(QObject):
    """`viewer.AnnotationStore` for the signed-in user, synced with the server.

    `user` is the username the reader passes to `load`/`save`/`delete` (its `user@server`
    scope is accepted too); rows are kept per scope, so two servers never mix.
    """

    changed = Signal(str)  # target sha256 whose notes changed from outside the reader

    def __init__(
        self,
        store: LocalStore,
        session: Session,
        outbox: Outbox,
        events: EventStream | None = None,
        user: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.session = session
        self.outbox = outbox
        self.events = events
        self.scope: str = session.scope
        self.user = user or self.scope
        self._todo: dict[str, tuple[str, str]] = {}  # note id -> (event type, target)
        # note id -> (target, the note or None when deleted): given to the writer thread
        self._unwritten: dict[str, tuple[str, Note | None]] = {}
        self._worker = Refresher(self._drain, "note events")
        outbox.refused.connect(self._on_refused)
        if events is not None:
            events.event_received.connect(self._on_event)
            outbox.follow(events)  # queued notes go out when the server is back

    # --- AnnotationStore ---------------------------------------------------------------------
    def load(self, target_sha256: str, user: str) -> list[Note]:
        """Every note of the signed-in user on the document (none for anyone else)."""
        if not self._owns(user):
            return []
        with _store_errors():
            notes = {note.id: note for note in self._stored(target_sha256)}
        for note_id, (target, note) in list(self._unwritten.items()):
            if target == target_sha256:
                if note is None:
                    notes.pop(note_id, None)
                else:
                    notes[note_id] = note
        return sorted(notes.values(), key=lambda note: (note.page, note.id))

    def _stored(self, target_sha256: str) -> list[Note]:
        """The notes on one file as the store holds them (any thread)."""
        notes = []
        for row in self.store.notes_of(self.scope, target_sha256):
            try:
                notes.append(parse_note(row))
            except MalformedResponse as exc:  # a row from a future version: keep, do not show
                log.warning("ignoring a stored note: %r", exc)
        return notes

    def _write(
        self, note_id: str, target: str, note: Note | None, work: Callable[[], None]
    ) -> None:
        """`work` (the note and its outbox action) by the writer thread; `load` shows `note`
        meanwhile."""
        self._unwritten[note_id] = (target, note)
        entry = self._unwritten[note_id]
        with _store_errors():
            done = self.store.submit(work)

        def landed(_: object) -> None:  # on the GUI thread's loop
            if self._unwritten.get(note_id) is entry:
                del self._unwritten[note_id]
            if done.exception() is not None:
                log.error("note %s not kept: %r", note_id, done.exception())
                self.changed.emit(target)  # the reader shows what the store holds

        self.store.when_done(done, landed)

    def save(self, user: str, annotation: Note) -> None:
        """Store a note and queue its PUT, in one transaction; flush soon (`annotation`: the
        viewer's name of the Protocol's parameter)."""
        self._check_owner(user)
        note = annotation

        def work() -> None:
            self.store.put_note(self.scope, note_json(note))
            self.outbox.enqueue("PUT", NOTES_PATH + note.id, note_body(note), supersede=True)

        self._write(note.id, note.target_sha256, note, work)
        self.outbox.flush_soon()

    def delete(self, target_sha256: str, user: str, annotation_id: str) -> None:
        """Remove a note and queue its DELETE, in one transaction; unknown ids are ignored."""
        self._check_owner(user)
        if not any(note.id == annotation_id for note in self.load(target_sha256, user)):
            return

        def work() -> None:
            if self.store.delete_note(self.scope, annotation_id):
                self.outbox.enqueue("DELETE", NOTES_PATH + annotation_id, None, supersede=True)

        self._write(annotation_id, target_sha256, None, work)
        self.outbox.flush_soon()

    def _owns(self, user: str) -> bool:
        return user in (self.user, self.scope)

    def _check_owner(self, user: str) -> None:
        if not self._owns(user):
            raise AnnotationStoreError(f"notes of {user!r} cannot be kept in {self.scope}'s")

    # --- from the server ---------------------------------------------------------------------
    async def sync(self, target_sha256: str) -> bool:
        """Merge the server's notes on one file into the local ones; True if any changed.

        Raises `ServerUnreachable` etc. when offline (the local notes stay as they are).
        """
        payload = await self.session.api.get_json("/notes", {"target": target_sha256})
        if not isinstance(payload, list):
            raise MalformedResponse("note list", f"expected a list, got {type(payload).__name__}")
        remote: dict[str, Note] = {}
        for item in payload:
            try:
                note = parse_note(item)
            except MalformedResponse as exc:  # one bad note must not hide the others
                log.warning("ignoring a note from the server: %r", exc)
                continue
            if note.target_sha256 == target_sha256:
                remote[note.id] = note
        # The local side is read by the writer thread, after the user's changes given before.
        pending = self._pending_ids()

        def merge() -> list[bool]:
            local = {a.id: a for a in self._stored(target_sha256)}
            return [
                self._apply(local.get(i), remote.get(i), i in pending)
                for i in sorted(local.keys() | remote.keys())
            ]

        changes = await self.store.run(merge)
        if any(changes):
            self.changed.emit(target_sha256)
        return any(changes)

    def _pending_ids(self) -> set[str]:
        paths = self.outbox.pending_paths()
        return {p[len(NOTES_PATH) :] for p in paths if p.startswith(NOTES_PATH)}

    def _local(self, note_id: str) -> Note | None:
        row = self.store.note(self.scope, note_id)
        if row is None:
            return None
        try:
            return parse_note(row)
        except MalformedResponse:
            return None

    def _apply(self, local: Note | None, remote: Note | None, pending: bool) -> bool:
        """Store what `decide` keeps; True when the local copy changed."""
        keep = decide(local, remote, pending)
        if keep == local:
            return False
        if keep is None:
            assert local is not None
            self.store.delete_note(self.scope, local.id)
        else:
            self.store.put_note(self.scope, note_json(keep))
        return True

    def _on_event(self, event: Event) -> None:
        if event.type not in EVENT_TYPES:
            return
        note_id, target = event.data.get("note_id"), event.data.get("target")
        if not isinstance(note_id, str) or not isinstance(target, str):
            log.warning("ignoring a malformed %s event: %r", event.type, event.data)
            return
        if target.startswith(AGENDA):  # a note on a meeting's agenda item: not the reader's
            return
        self._todo.pop(note_id, None)  # the newest event of a note decides; keep their order
        self._todo[note_id] = (event.type, target)
        self._worker.schedule()

    async def _drain(self) -> None:
        while self._todo:
            note_id = next(iter(self._todo))
            kind, target = self._todo.pop(note_id)
            try:
                await self._refresh_note(note_id, kind, target)
            except HopDeskError as exc:  # offline: the next sync() of the file catches up
                log.info("note %s not refreshed: %r", note_id, exc)

    async def _refresh_note(self, note_id: str, kind: str, target: str) -> None:
        remote: Note | None = None
        if kind == "note.updated":
            try:
                remote = parse_note(await self.session.api.get_json(NOTES_PATH + note_id))
            except ApiError as exc:
                if exc.status != 404:
                    raise  # 404: deleted since the event
        pending = note_id in self._pending_ids()
        if await self.store.run(lambda: self._apply(self._local(note_id), remote, pending)):
            self.changed.emit(remote.target_sha256 if remote is not None else target)

    def _on_refused(self, key: str, path: str, problem: Problem) -> None:
        """A 409 `stale-note`: the server's copy is newer; take it and drop our PUT."""
        if not path.startswith(NOTES_PATH) or problem.slug != STALE:
            return
        try:
            current = parse_note(problem.extensions.get("current"))
        except MalformedResponse as exc:  # left as a failed action for the UI
            log.warning("stale note without a readable current copy: %r", exc)
            return
        note_id = path[len(NOTES_PATH) :]
        pending = note_id in self._pending_ids()

        def resolve() -> bool:  # by the writer thread, in one transaction
            self.outbox.discard(key)
            return self._apply(self._local(note_id), current, pending)

        done = self.store.submit(resolve)

        def landed(_: object) -> None:
            if done.exception() is not None:
                log.error("stale note %s not resolved: %r", note_id, done.exception())
            elif done.result():
                self.changed.emit(current.target_sha256)

        self.store.when_done(done, landed)

    async def wait(self) -> None:
        """Wait until queued note events are handled (tests)."""
        await self._worker.wait()

    async def close(self) -> None:
        """Stop reacting to events and cancel the handling under way."""
        if self.events is not None:
            self.events.event_received.disconnect(self._on_event)
            self.events = None
        self._todo.clear()
        await self._worker.close()
