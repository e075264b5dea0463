"""Process bootstrap: arguments, logging, QApplication + qasync loop, core services, shutdown.

One thread runs Qt and asyncio together. Start-up stays lean: only Qt, qasync and the core are
imported here; PDF and media engines load when a feature needs them. The demo server child is
launched before any window is built, so its boot overlaps ours.

The core knows nothing of widgets (DESIGN §2): the UI is found by name (`FRONTEND`) and receives
a `Core` — the services of client.md — to bind to. That single late import is the composition
root's only link to `ui/`.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import functools
import gc
import importlib
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the modules load when first used, not at start-up
    import datetime as dt

    from desktop.config import Config
    from desktop.demo import DemoServer
    from desktop.documents import DocumentsService
    from desktop.events import EventStream
    from desktop.files import FileCache
    from desktop.inbox import ApprovalInbox
    from desktop.meeting_room.papers import PaperPrefetcher
    from desktop.meetings import MeetingsService
    from desktop.notes import NotesService
    from desktop.notify import Notifier
    from desktop.outbox import Outbox
    from desktop.paths import AppPaths
    from desktop.secrets import SecretStore
    from desktop.session import Session
    from desktop.signed_uploads import SignedUploads
    from desktop.single_instance import SingleInstance
    from desktop.store import LocalStore
    from desktop.view_states import StoredViewStates

log = logging.getLogger("hopdesk.app")

FRONTEND = "ui.shell:QtFrontend"
DEMO_USER = "giamdoc"
DEMO_PASSWORD = "hopdesk-demo"  # the reference server's documented demo password


# The start's modules that do not use Qt, imported before PySide6 is. Why: once PySide6.QtCore
# is loaded, its `__feature__` import hook (shibokensupport/feature.py, PYSIDE-2029) reads the
# source of every module imported after it (inspect.getsource, looking for "PySide6") to decide
# whether `from __feature__ import snake_case` may apply there: about 0.75 ms a module on a busy
# machine, 290 ms for the ~390 modules of a remembered start. PySide6 offers no switch for it; a
# package imported before it is looked at only by name when a later `import` statement names it
# (one module), its submodules never. Only what the first window needs: aiohttp and the keyring
# backend are imported later, in worker threads, after it shows (desktop/api.py, `read_keyring`).
BEFORE_QT = (
    "msgspec",
    "sqlite3",
    "desktop.config",
    "desktop.store",
    "desktop.log",
)


def import_before_qt() -> None:
    """Import `BEFORE_QT` (see there for why)."""
    for name in BEFORE_QT:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # imported again where used, which then says why
            log.debug("not imported before Qt: %s (%r)", name, exc)


def version() -> str:
    """The HopDesk version (`desktop.__version__`, which pyproject.toml reads too): no
    importlib.metadata, whose import and search of sys.path cost 10-20 ms of every start, and
    which a frozen build may lack."""
    from desktop import __version__

    return __version__


@dataclass(frozen=True, slots=True)
class Options:
    """The command line."""

    server: str | None = None
    lang: str | None = None
    demo: bool = False
    exit_when_ready: bool = False
    version: bool = False
    link: str | None = None  # a hopdesk://join?… or meeting link to open (desktop/join_link.py)


def parse_args(argv: Sequence[str] | None) -> Options:
    """Parse `hopdesk [--server URL] [--lang vi|en] [--demo] [--exit-when-ready] [--version]
    [LINK]`."""
    parser = argparse.ArgumentParser(prog="hopdesk", description="HopDesk desktop client")
    parser.add_argument("--server", metavar="URL", help="office server address")
    parser.add_argument("--lang", choices=["vi", "en"], help="language (default: vi)")
    parser.add_argument("--demo", action="store_true", help="run a local demo server and sign in")
    parser.add_argument(
        "--exit-when-ready",
        action="store_true",
        help="print 'ready <ms>' once the main window shows its lists (cached ones too), "
        "'fresh <ms>' once they hold the server's, then exit (benchmarks)",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "link",
        nargs="?",
        help="a meeting link to join (hopdesk://join?…, as the OS passes a clicked link)",
    )
    ns = parser.parse_args(list(argv) if argv is not None else None)
    return Options(ns.server, ns.lang, ns.demo, ns.exit_when_ready, ns.version, ns.link)


class Frontend(Protocol):
    """What the UI package offers the bootstrap."""

    async def run(self, core: Core, options: Options) -> int:
        """Sign in, show the windows, return the exit status when the user quits."""


@dataclass(frozen=True, slots=True)
class SessionServices:
    """The services of one signed-in session (client.md), built by `Core.start_session`."""

    outbox: Outbox
    events: EventStream
    meetings: MeetingsService
    documents: DocumentsService
    files: FileCache
    view_states: StoredViewStates
    notes: NotesService
    inbox: ApprovalInbox
    uploads: SignedUploads
    papers: PaperPrefetcher


@dataclass
class Core:
    """The client-core services for one process (client.md), built and closed here.

    The session's services exist between `start_session` and `stop_session`; asking for one
    outside that (`core.meetings` while signed out) raises `NotSignedIn`, so a view can never
    bind to a stale service of an earlier session.
    """

    paths: AppPaths | None
    config: Config
    secrets: SecretStore
    store: LocalStore
    session: Session
    notifier: Notifier
    log_path: Path
    cache_was_reset: bool = False
    instance: SingleInstance | None = None  # links from later launches (set by main)
    demo: DemoServer | None = None
    services: SessionServices | None = None
    # The clock of the schedule, the reminders and the room's opening (the real one unless
    # set): tests pin it so the seeded meetings of "today" never fall in their window.
    clock: Callable[[], dt.datetime] | None = None
    # Set by the UI once its first screen (main window or sign-in dialog) is shown: the work
    # that can wait for it (registering hopdesk://) starts then.
    first_screen_shown: asyncio.Event = field(default_factory=asyncio.Event)

    def _services(self) -> SessionServices:
        if self.services is None:
            from desktop.errors import NotSignedIn

            raise NotSignedIn()
        return self.services

    @property
    def outbox(self) -> Outbox:
        """Actions written first, sent when the server answers."""
        return self._services().outbox

    @property
    def events(self) -> EventStream:
        """The session's event stream."""
        return self._services().events

    @property
    def meetings(self) -> MeetingsService:
        """Lịch họp."""
        return self._services().meetings

    @property
    def documents(self) -> DocumentsService:
        """Văn bản (waiting for me) and Tài liệu (all I may see)."""
        return self._services().documents

    @property
    def inbox(self) -> ApprovalInbox:
        """The approval inbox: the workflow's six lists, actions through the outbox."""
        return self._services().inbox

    @property
    def uploads(self) -> SignedUploads:
        """Signed files kept until the server confirms them."""
        return self._services().uploads

    @property
    def paper_prefetch(self) -> PaperPrefetcher:
        """Papers of the coming week's meetings, downloaded in the background (started by the
        shell once the first lists are in)."""
        return self._services().papers

    @property
    def files(self) -> FileCache:
        """Verified copies of the server's files."""
        return self._services().files

    @property
    def view_states(self) -> StoredViewStates:
        """Where the reader left each document."""
        return self._services().view_states

    @property
    def notes(self) -> NotesService:
        """Personal notes (ghi chú), synced with the server."""
        return self._services().notes

    async def start_session(self, connect: bool = True) -> None:
        """After sign-in: event stream, outbox, list services, files and notes of the user.
        Without `connect` the event stream waits for `connect` (a start from the cache opens
        the window before anything touches the network)."""
        from desktop.documents import DocumentsService
        from desktop.events import EventStream
        from desktop.files import FileCache
        from desktop.inbox import ApprovalInbox
        from desktop.meeting_room.papers import PaperPrefetcher
        from desktop.meetings import MeetingsService, utc_now
        from desktop.notes import NotesService
        from desktop.outbox import Outbox
        from desktop.signed_uploads import SignedUploads
        from desktop.view_states import StoredViewStates

        user = self.session.user
        if user is None:
            raise RuntimeError("start_session needs a signed-in session")
        scope = self.session.scope
        outbox = Outbox(self.store, self.session.api, scope)
        events = EventStream(self.session, self.store)
        # Without platform paths (tests, embedding) the files go beside the local store.
        base = self.paths.cache_dir if self.paths is not None else Path(self.store.path).parent
        data = self.paths.data_dir if self.paths is not None else Path(self.store.path).parent
        meetings = MeetingsService(self.session, events, now=self.clock or utc_now)
        cache_bytes = self.config.settings.file_cache_bytes
        files = FileCache(self.session, files_dir(base, scope), cache_bytes)
        self.services = SessionServices(
            outbox=outbox,
            events=events,
            meetings=meetings,
            documents=DocumentsService(self.session, events, outbox),
            files=files,
            view_states=StoredViewStates(self.store, scope),
            notes=NotesService(self.store, self.session, outbox, events, user.username),
            inbox=ApprovalInbox(self.session, events, outbox),
            uploads=SignedUploads(  # data, not cache: a signature must not be cleaned away
                self.store, self.session.api, outbox, scope, files_dir(data / "signed", scope)
            ),
            papers=PaperPrefetcher(self.session, events, files, meetings),
        )
        self.services.uploads.follow(events)  # signed before a crash or offline: sent now
        if connect:
            events.start()

    def connect(self) -> None:
        """Open the session's event stream (after `start_session(connect=False)`)."""
        self._services().events.start()

    async def stop_session(self) -> None:
        """Before sign-out or quit: the event stream first (no handler runs on a closed
        service), then the services and downloads, then a short try to flush the outbox."""
        services, self.services = self.services, None
        if services is None:
            return
        await services.events.close()
        await services.meetings.close()
        await services.documents.close()
        await services.inbox.close()
        await services.uploads.close()
        await services.notes.close()
        await services.papers.close()
        await services.files.close()
        outbox = services.outbox
        await outbox.close()
        if outbox.pending:
            try:
                await asyncio.wait_for(outbox.flush(), 3.0)
            except Exception:  # offline at exit is normal: the outbox keeps it for next time
                log.info("outbox not flushed at exit", exc_info=True)

    async def aclose(self) -> None:
        """Orderly shutdown: session services, session, store, demo server."""
        await self.stop_session()
        await self.session.close()
        # in a thread: the last writes may wait for another process's lock, and the last
        # connection checkpoints the WAL (100+ ms on a busy machine, seen by the watchdog)
        await asyncio.to_thread(self.store.close)
        if self.demo is not None:
            await self.demo.stop()


def files_dir(cache_dir: Path, scope: str) -> Path:
    """The file cache of one `user@server`: a user never gets a file the server did not give
    them from another user's downloads on the same computer."""
    import hashlib

    return Path(cache_dir) / "files" / hashlib.sha256(scope.encode()).hexdigest()[:16]


def build_core(options: Options, notifier: Notifier, log_path: Path, paths: AppPaths) -> Core:
    """Config layers (defaults < user < policy < command line), keyring, cache, session."""
    from desktop.config import Config
    from desktop.policy import machine_policy
    from desktop.secrets import SecretStore
    from desktop.session import Session
    from desktop.store import LocalStore

    cli: dict[str, object] = {}
    if options.server:
        cli["server_url"] = options.server
    if options.lang:
        cli["language"] = options.lang
    config = Config(user_file=paths.config_dir / "settings.toml", policy=machine_policy(), cli=cli)
    data_dir = paths.data_dir / "demo" if options.demo else paths.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    store = LocalStore(data_dir / "cache.db")  # opened by `open_store`, off the GUI thread
    secrets = SecretStore()
    session = Session(config, secrets, store)
    return Core(
        paths=paths,
        config=config,
        secrets=secrets,
        store=store,
        session=session,
        notifier=notifier,
        log_path=log_path,
    )


async def prepare(core: Core, spec: str = FRONTEND) -> Frontend:
    """Open the local cache and ready the keyring in threads while the GUI thread imports the
    UI: the migrations, after an unclean shutdown a read of the whole cache, the keyring's
    backend discovery and the remembered token's read (D-Bus) must not hold up the first
    window. The keyring is only read when the session first needs it
    (`Session.settle_keyring`): a start from the cache shows the window first.
    Then `gc.freeze()`: what start-up imported stays for good, so later collections on the GUI
    thread skip it."""
    loop = asyncio.get_running_loop()
    opened: concurrent.futures.Future[bool] = concurrent.futures.Future()
    # Both start now, not at the next await.
    opening = loop.run_in_executor(None, open_store, core, opened)
    core.session.settle_keyring = functools.partial(
        loop.run_in_executor, None, read_keyring, core, opened
    )
    frontend = load_frontend(spec)
    core.cache_was_reset = bool(await opening)
    gc.freeze()
    return frontend


def open_store(core: Core, opened: concurrent.futures.Future[bool]) -> bool:
    """In a worker thread: open the local cache; `opened` tells `read_keyring` when."""
    try:
        reset = core.store.open()
    except BaseException as exc:
        opened.set_exception(exc)
        raise
    opened.set_result(reset)
    return reset


def read_keyring(core: Core, opened: concurrent.futures.Future[bool]) -> None:
    """In a worker thread, once the cache is open, when the session first needs the keyring
    (`Session.settle_keyring`): settle the keyring backend (the one the cache remembers from
    the last start, without discovery) and read the remembered account's token, in one trip.
    Until it is done nothing else touches the keyring."""
    from desktop.secrets import BACKEND_KEY
    from desktop.session import ACCOUNT_KEY

    try:
        opened.result()
    except Exception:  # `open_store` raises it where it is awaited
        return
    remembered = core.store.get(BACKEND_KEY)
    name = core.secrets.choose_backend(remembered if isinstance(remembered, str) else None)
    if not core.secrets.available:
        return
    if name != remembered:
        core.store.set(BACKEND_KEY, name)
    account = core.store.get(ACCOUNT_KEY)
    if isinstance(account, dict):
        core.secrets.prefetch(str(account.get("server", "")), str(account.get("username", "")))


async def register_when_shown(shown: asyncio.Event) -> None:
    """`register_scheme` in a worker thread once the first screen shows."""
    await shown.wait()
    await asyncio.get_running_loop().run_in_executor(None, register_scheme)


def register_scheme() -> None:
    """In a worker thread: `desktop.url_scheme.register_at_start` (imported there too)."""
    from desktop.url_scheme import register_at_start

    register_at_start()


def load_frontend(spec: str = FRONTEND) -> Frontend:
    """Import the UI by name (see the module docstring)."""
    module_name, _, attr = spec.partition(":")
    frontend: Frontend = getattr(importlib.import_module(module_name), attr)()
    return frontend


def missing_display(env: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """One line saying what to do when Qt would find no display, else None.

    Without a display Qt's xcb plugin fails with a long message blaming libxcb-cursor0 (which is
    installed): say instead what the user can do. Only Linux-like systems need a display server;
    an explicit QT_QPA_PLATFORM (offscreen, wayland, vnc...) is the user's choice and left alone.
    """
    if platform in ("win32", "darwin") or env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return (
        "hopdesk: no display found (DISPLAY and WAYLAND_DISPLAY are unset): run it in a desktop "
        "session, under `xvfb-run -a hopdesk ...`, or with QT_QPA_PLATFORM=offscreen"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app; returns the process exit status."""
    # In the frozen Windows build the render, search and signature workers start as copies of
    # hopdesk.exe: this runs such a copy's work and exits. Elsewhere it is a no-op, and
    # multiprocessing is not imported before the reader needs it.
    if getattr(sys, "frozen", False):
        import multiprocessing

        multiprocessing.freeze_support()
    options = parse_args(argv)
    if options.version:
        print(f"HopDesk {version()}")
        return 0
    problem = missing_display(os.environ)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2

    # No automatic collection from here on: the imports of a start allocate enough for about
    # a hundred collections (25 ms) that find next to nothing, and the GUI-thread collector
    # below takes over anyway (desktop/collector.py); it re-enables it at exit.
    gc.disable()
    import_before_qt()  # first: the single-instance check below loads PySide6 (BEFORE_QT)
    if options.exit_when_ready:  # the start-up bench's clock (ui/shell.py process_age_ms)
        importlib.import_module("psutil")
    from desktop.paths import default_paths

    paths = default_paths()  # before PySide6 too: platformdirs is imported here
    from desktop.single_instance import SingleInstance, hand_over, instance_name

    # one instance per data folder: a second launch gives its link to the first and ends
    name = instance_name(paths.data_dir / "demo" if options.demo else paths.data_dir)
    if hand_over(name, options.link):
        print("hopdesk: HopDesk is already running; the link was handed to it", flush=True)
        return 0
    demo = None
    if options.demo:  # the longest step of a demo start: begin it before importing Qt
        from desktop.demo import DemoServer

        demo = DemoServer(paths.data_dir / "demo")
        demo.launch()

    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop import i18n
    from desktop.collector import GuiThreadCollector
    from desktop.log import ExceptionHooks, setup_logging
    from desktop.notify import notifier as get_notifier
    from desktop.watchdog import StallWatchdog

    log_path = setup_logging(paths.log_dir, console=bool(os.environ.get("HOPDESK_LOG_CONSOLE")))
    log.info("HopDesk %s starting (%s)", version(), options)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("HopDesk")
    app.setOrganizationName("HopDesk")
    app.setQuitOnLastWindowClosed(False)
    collector = GuiThreadCollector(app)  # QObjects must never be freed by another thread's GC
    instance = SingleInstance(name, app)
    if not instance.listen() and hand_over(name, options.link):  # started at the same moment
        return 0
    watchdog = StallWatchdog.from_env(app)  # HOPDESK_STALL_WATCHDOG: tests and benchmarks

    notifier = get_notifier()
    hooks = ExceptionHooks(notifier.crash)
    hooks.install()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    hooks.install_loop(loop)

    async def run() -> int:
        core = build_core(options, notifier, log_path, paths)
        # hopdesk:// links open this HopDesk (desktop/url_scheme.py): checked at every start,
        # written when missing; xdg-mime is a shell script, so in a worker thread, once the
        # first screen shows (its imports and file checks would compete with building it)
        registering = asyncio.ensure_future(register_when_shown(core.first_screen_shown))
        frontend = await prepare(core)
        core.demo = demo
        core.instance = instance
        i18n.install(app, options.lang or core.config.settings.language)
        try:
            return await frontend.run(core, options)
        finally:
            await core.aclose()
            if not core.first_screen_shown.is_set():  # quit before any screen: not started
                registering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await registering

    def stop_demo_anyway() -> None:
        """If the loop died before the orderly shutdown, still stop the child by PID."""
        if demo is not None and demo.proc is not None and demo.proc.poll() is None:
            demo.proc.kill()

    try:
        with loop:
            return int(loop.run_until_complete(run()))
    finally:
        instance.close()
        if watchdog is not None:
            watchdog.stop()
        collector.stop()
        stop_demo_anyway()
        hooks.uninstall()
        log.info("HopDesk stopped")
