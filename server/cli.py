"""`hopdesk-server`: run the office server, or manage accounts (`create-user`).

Start-up is kept lean because the desktop `--demo` mode waits for the `listening on` line:
heavy imports (Alembic, PyMuPDF) happen only when a migration or the demo seed needs them.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import socket
import sys
import threading
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from server.config import Config, browser_ice_server
from server.proxies import parse_network

if TYPE_CHECKING:
    from server.transport import TransportLimits

DEFAULT_PORT = 8080
BACKLOG = 2048  # connections the kernel queues before the server accepts them
# Keep-alive of the event stream: the server pings every stream this often and closes one whose
# client does not answer within the timeout, so a client that vanished without a FIN (a pulled
# cable, a sleeping laptop) is dropped within interval + timeout. The desktop does not ping on
# its own while these pings arrive (its heartbeat is longer than the interval, and any frame
# received resets it), so each stream costs one ping and one pong per interval.
WS_PING_INTERVAL = 30.0
WS_PING_TIMEOUT = 15.0


def _default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("hopdesk-server", appauthor=False))


def _add_storage_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", default=default, help="SQLite path or SQLAlchemy URL")
    parser.add_argument("--data-dir", type=Path, default=default, help="file store + default DB")


def _add_auth_options(parser: argparse.ArgumentParser) -> None:
    """Sign-in and proxy settings (server/auth.py, server/proxies.py)."""
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        type=parse_network,
        default=[],
        metavar="ADDRESS[/BITS]",
        help="believe X-Forwarded-For from this proxy address or network (repeatable)",
    )
    parser.add_argument(
        "--refresh-grace",
        type=int,
        default=60,
        metavar="SECONDS",
        help="a refresh token presented again this soon after its rotation is a lost answer",
    )
    parser.add_argument(
        "--housekeeping-interval",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="how often expired tokens, old idempotency records and sign-in failures are purged",
    )


def _guest_ice_server(text: str) -> str:
    """Check a `--guest-ice-server` when the server starts, not when a guest joins."""
    try:
        browser_ice_server(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def build_parser() -> argparse.ArgumentParser:
    """The command line of docs/contract.md."""
    parser = argparse.ArgumentParser(prog="hopdesk-server", description=__doc__)
    _add_storage_options(parser, suppress=False)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--seed-demo", action="store_true", help="demo data into an empty DB")
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (a parent that launched this server went away)",
    )
    parser.add_argument(
        "--demo-delegates",
        type=float,
        nargs="?",
        const=4.0,
        default=None,
        metavar="SECONDS",
        help="simulated delegates act in the demo's meeting in progress, one step this often",
    )
    parser.add_argument(
        "--max-upload",
        type=int,
        default=200 * 1024 * 1024,
        metavar="BYTES",
        help="largest file upload (413 beyond)",
    )
    parser.add_argument("--access-ttl", type=int, default=900, help="access token seconds")
    parser.add_argument("--tls-cert", type=Path, help="PEM certificate: serve HTTPS")
    parser.add_argument("--tls-key", type=Path, help="PEM private key for --tls-cert")
    parser.add_argument("--log-level", default="warning")
    parser.add_argument(
        "--event-poll", type=float, default=0.5, help="seconds between event-table polls"
    )
    _add_auth_options(parser)
    _add_transport_options(parser)
    parser.add_argument(
        "--event-keep-days", type=int, default=30, help="days of events kept for replay"
    )
    parser.add_argument(
        "--event-keep", type=int, default=1_000_000, help="most events kept for replay"
    )
    parser.add_argument(
        "--event-stream-buffer",
        type=int,
        default=1 << 20,
        help="bytes a stream's client may leave unread before it is dropped (it resumes)",
    )
    parser.add_argument(
        "--room-ping", type=float, default=15.0, help="seconds between room relay pings"
    )
    parser.add_argument(
        "--guest-ice-server",
        action="append",
        type=_guest_ice_server,
        default=[],
        metavar="URL",
        help="STUN/TURN server for browser guests (repeatable): stun:host:port or "
        "turn://user:credential@host:port?transport=udp",
    )
    parser.add_argument(
        "--whep-janus",
        metavar="URL",
        help="the Janus WebSocket (ws://host:8188) whose Streaming mountpoints are played "
        "over WHEP at /api/v1/whep/{mountpoint}",
    )
    parser.add_argument(
        "--ws-ping",
        type=float,
        default=WS_PING_INTERVAL,
        metavar="SECONDS",
        help="seconds between the server's keep-alive pings on each WebSocket",
    )
    parser.add_argument(
        "--ws-ping-timeout",
        type=float,
        default=WS_PING_TIMEOUT,
        metavar="SECONDS",
        help="a WebSocket whose peer does not answer a ping this soon is closed as dead",
    )
    commands = parser.add_subparsers(dest="command")
    create = commands.add_parser("create-user", help="add an account")
    _add_storage_options(create, suppress=True)
    create.add_argument("username")
    create.add_argument("--full-name", required=True)
    create.add_argument("--title", default="")
    create.add_argument("--role", action="append", required=True, help="repeat for several")
    create.add_argument("--unit", help="org unit name (created when missing)")
    create.add_argument("--password-stdin", action="store_true")
    return parser


def _add_transport_options(parser: argparse.ArgumentParser) -> None:
    """The per-connection limits of server/transport.py (docs/contract.md, command line)."""
    from server.transport import TransportLimits

    group = parser.add_argument_group("connection limits")
    defaults = TransportLimits()
    group.add_argument(
        "--read-timeout",
        type=float,
        default=defaults.read_timeout,
        help="seconds for a request line and headers to arrive (408 beyond)",
    )
    for flag, default, what in (
        ("--max-connections", defaults.max_connections, "open connections (503 beyond)"),
        ("--max-request-line", defaults.max_request_line, "request target bytes (414 beyond)"),
        ("--max-header-size", defaults.max_header_size, "bytes of one header (431 beyond)"),
        ("--max-headers", defaults.max_headers, "headers per request (431 beyond)"),
        ("--max-head-size", defaults.max_head_size, "bytes of all headers (431 beyond)"),
    ):
        group.add_argument(flag, type=int, default=default, help=what)


def _transport_limits(args: argparse.Namespace) -> TransportLimits:
    from server.transport import TransportLimits, fitted_limits, raise_fd_limit

    # Each limit has the flag of its name (`max_headers` is `--max-headers`).
    names = [field.name for field in fields(TransportLimits)]
    limits = TransportLimits(**{name: getattr(args, name) for name in names})
    return fitted_limits(limits, raise_fd_limit())


def _config(args: argparse.Namespace) -> Config:
    from server.db import database_url

    data_dir: Path = (args.data_dir or _default_data_dir()).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    db = args.db or str(data_dir / "hopdesk.db")
    return Config(
        db_url=database_url(db),
        data_dir=data_dir,
        access_ttl=args.access_ttl,
        max_upload=getattr(args, "max_upload", 200 * 1024 * 1024),
        event_poll_interval=getattr(args, "event_poll", 0.5),
        event_keep_days=getattr(args, "event_keep_days", 30),
        event_keep_count=getattr(args, "event_keep", 1_000_000),
        event_stream_buffer=getattr(args, "event_stream_buffer", 1 << 20),
        room_ping_interval=getattr(args, "room_ping", 15.0),
        guest_ice_servers=tuple(getattr(args, "guest_ice_server", ())),
        whep_janus=getattr(args, "whep_janus", None),
    )


def _with_auth_settings(config: Config, args: argparse.Namespace) -> Config:
    """`config` with the settings of `_add_auth_options`."""
    return replace(
        config,
        trusted_proxies=tuple(args.trusted_proxy),
        refresh_grace=args.refresh_grace,
        purge_interval=args.housekeeping_interval,
    )


def _bind(host: str, port: int) -> socket.socket:
    """Bind ourselves so port 0 resolves before printing and restarts reuse the same port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def serve(args: argparse.Namespace) -> int:
    """Migrate, seed if asked, listen, and print the `listening on` line once ready."""
    import uvicorn

    from server.app import create_app
    from server.event_bus import ExposeWebSocketProtocol, tune_gc
    from server.transport import KeepConnectionAfterError, http_protocol

    if bool(args.tls_cert) != bool(args.tls_key):
        print("--tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    config = _with_auth_settings(_config(args), args)
    limits = _transport_limits(args)
    app = create_app(config)
    if args.seed_demo:
        from server.seed import seed_demo

        seed_demo(app.state.sessions, app.state.files)
    sock = _bind(args.host, args.port)
    port = sock.getsockname()[1]
    scheme = "https" if args.tls_cert else "http"
    host = f"[{args.host}]" if ":" in args.host else args.host
    line = f"listening on {scheme}://{host}:{port}"
    delegates = None
    if args.demo_delegates is not None:
        from server.demo_room import DemoDelegatesTask

        delegates = DemoDelegatesTask(f"{scheme}://{host}:{port}/api/v1", args.demo_delegates)

    class AnnouncingServer(uvicorn.Server):
        """Prints the line the desktop waits for, once the socket really serves."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            tune_gc()
            if self.started and args.exit_with_stdin:
                threading.Thread(target=self._exit_at_eof, name="stdin-watch", daemon=True).start()
            if self.started:
                if delegates is not None:
                    delegates.start()
                print(line, flush=True)

        def _exit_at_eof(self) -> None:
            """The launching app keeps our stdin open while it lives; EOF means it is gone
            (quit, crashed or killed), and a demo server nobody can reach must not linger."""
            while sys.stdin.buffer.read(4096):
                pass
            self.should_exit = True

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            if delegates is not None:
                await delegates.stop()
            await super().shutdown(sockets)

    server = AnnouncingServer(
        uvicorn.Config(
            ExposeWebSocketProtocol(KeepConnectionAfterError(app)),
            http=http_protocol(limits),
            backlog=BACKLOG,
            log_config=None,
            log_level=args.log_level,
            access_log=False,
            proxy_headers=False,  # uvicorn trusts every local peer; server/proxies.py decides
            ssl_certfile=str(args.tls_cert) if args.tls_cert else None,
            ssl_keyfile=str(args.tls_key) if args.tls_key else None,
            timeout_graceful_shutdown=3,
            # Event messages are ~100 bytes: compressing them saves nothing and costs a zlib
            # context per stream (memory) and a compression per message per stream (CPU).
            ws_per_message_deflate=False,
            ws_ping_interval=args.ws_ping,
            ws_ping_timeout=args.ws_ping_timeout,
        )
    )
    server.run(sockets=[sock])
    return 0


def create_user_command(args: argparse.Namespace) -> int:
    """Add one account from the command line (password read from stdin or a prompt)."""
    from sqlalchemy import select

    from server.db import make_engine, session_factory, transaction, upgrade
    from server.models import OrgUnit
    from server.users import create_user

    config = _config(args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("passwords differ", file=sys.stderr)
            return 1
    if not password:
        print("empty password", file=sys.stderr)
        return 1
    engine = make_engine(config.db_url)
    upgrade(engine)
    try:
        with transaction(session_factory(engine)) as session:
            unit = None
            if args.unit:
                unit = session.scalar(select(OrgUnit).where(OrgUnit.name == args.unit))
                if unit is None:
                    unit = OrgUnit(name=args.unit)
                    session.add(unit)
            user = create_user(
                session,
                args.username,
                args.full_name,
                args.role,
                password=password,
                title=args.title,
                unit=unit,
            )
            session.flush()
            print(f"created user {user.username} (id {user.id})")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "create-user":
        return create_user_command(args)
    return serve(args)
