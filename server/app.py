"""`create_app(config)`: the FastAPI application with its routers, middleware and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from server import (
    __version__,
    agenda,
    agenda_papers,
    attendance,
    audit,
    auth,
    chat,
    documents,
    events,
    files,
    guests,
    meetings,
    minutes,
    notes,
    openapi,
    polls,
    presenter,
    problems,
    registry,
    rooms,
    speak,
    uploads,
    users,
    whep,
    workflow_api,
)
from server.admission import AdmissionMiddleware, turns_for
from server.config import Config
from server.db import make_engine, pool_connections, session_factory, upgrade
from server.event_bus import BusSettings, EventBus
from server.housekeeping import Housekeeper
from server.idempotency import IdempotencyMiddleware
from server.limits import BodyLimitMiddleware

API_PREFIX = "/api/v1"
PUBLIC_PATHS = frozenset(
    {
        f"{API_PREFIX}/health",
        f"{API_PREFIX}/auth/login",
        f"{API_PREFIX}/auth/refresh",
        f"{API_PREFIX}/auth/logout",
    }
)

health_router = APIRouter(tags=["health"])


class Health(BaseModel):
    """Body of `GET /health`."""

    status: str
    version: str


@health_router.get("/health", response_model=Health)
def health() -> Health:
    """Liveness probe; no sign-in needed."""
    return Health(status="ok", version=__version__)


# Every router of the API, mounted under API_PREFIX (tests walk these to check access rules).
ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    users.router,
    meetings.router,
    attendance.router,
    agenda.router,
    agenda_papers.router,
    documents.router,
    workflow_api.router,
    registry.router,
    uploads.router,
    files.router,
    notes.router,
    events.router,
    rooms.router,
    speak.router,
    chat.router,
    presenter.router,
    guests.router,
    whep.router,
    polls.router,
    minutes.router,
    audit.router,
    health_router,
)


def create_app(config: Config, *, migrate: bool = True) -> FastAPI:
    """Build the app; the schema is brought to head here unless `migrate` is False."""
    engine = make_engine(config.db_url)
    if migrate:
        upgrade(engine)
    factory = session_factory(engine)
    bus = EventBus(
        engine,
        factory,
        BusSettings(
            poll=config.event_poll_interval,
            keep_days=config.event_keep_days,
            keep_events=config.event_keep_count,
            max_buffered=config.event_stream_buffer,
        ),
    )
    events.install_commit_hook(factory, bus)

    housekeeper = Housekeeper(factory, config)
    poll_closer = polls.DeadlineCloser(factory)
    viewers = whep.Viewers()  # WHEP sessions, each holding a Janus session

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await bus.start()
        await housekeeper.start()
        await poll_closer.start()
        try:
            yield
        finally:
            await viewers.close()
            await poll_closer.stop()
            await housekeeper.stop()
            await bus.stop()
            engine.dispose()

    app = FastAPI(
        title="HopDesk office API",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # No redirect from `/x/` to `/x`: Starlette built its Location from the Host header,
        # an open redirect (issue 10, finding 9). The API has one spelling per path.
        redirect_slashes=False,
    )
    app.state.config = config
    app.state.engine = engine
    app.state.sessions = factory
    app.state.bus = bus
    app.state.housekeeper = housekeeper
    app.state.files = files.FileStore(config.files_dir)
    app.state.rooms = rooms.RoomHub(config.room_ping_interval)
    app.state.whep = viewers

    problems.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(guests.page_router)  # the browser guest's page, outside the API
    openapi.install(app, API_PREFIX, ROUTERS)
    # Outermost first on the way in: the body limit sees the raw stream before anything reads it.
    app.add_middleware(IdempotencyMiddleware, factory=factory)
    app.add_middleware(
        BodyLimitMiddleware,
        max_body=config.max_body,
        max_upload=config.max_upload,
        upload_prefixes=config.upload_prefixes,
    )
    # Outermost: a request waits for its turn before it takes a thread or a connection.
    app.add_middleware(AdmissionMiddleware, turns=turns_for(pool_connections(config.db_url)))
    return app
