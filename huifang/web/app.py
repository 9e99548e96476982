"""The web app factory: lifespan opens the database and the live-event bus; routers and pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from huifang.call_recovery import settle_left_open
from huifang.calls.bus import EventBus, InProcessEventBus
from huifang.settings import Settings
from huifang.web import (
    assignment_routes,
    attention_control_routes,
    attention_routes,
    audit_routes,
    auth_routes,
    call_routes,
    campaign_routes,
    case_routes,
    followup_routes,
    kpi_routes,
    letter_routes,
    live_routes,
    phone_cue_routes,
    qa_routes,
    review_queue_routes,
    review_routes,
    sales_routes,
    saved_filter_routes,
)
from huifang.web.deps import web_settings
from huifang.web.hardening import MAX_BODY_BYTES, harden
from huifang.web.labels import labels_script
from huifang.web.live_call_routes import router as live_call_router
from huifang.web.login_limit import LoginLimiter
from huifang.web.sign_ins import SignInStore
from storage.database import open_database

if TYPE_CHECKING:
    from huifang.calls.desk import LiveDesk

STATIC_DIR = Path(__file__).with_name("static")


def create_app(bus: EventBus | None = None, live_desk: LiveDesk | None = None) -> FastAPI:
    """A new app; `bus` lets the callback pipeline and the screens share one event bus;
    `live_desk` (started and stopped with the app) lets agents start bridged callbacks."""
    app = FastAPI(
        title="huifang (回访)",
        summary="Callback-centre API: sign-in, calls, the agent screen's live events",
        lifespan=_lifespan,
        # Offline product: no Swagger page pulling scripts from a CDN into this origin.
        docs_url=None,
        redoc_url=None,
        max_body_size=MAX_BODY_BYTES,
    )
    harden(app)
    app.state.event_bus = bus or InProcessEventBus()
    app.state.live_desk = live_desk
    app.include_router(auth_routes.router)
    app.include_router(call_routes.router)
    app.include_router(live_routes.router)
    app.include_router(live_call_router)
    app.include_router(review_queue_routes.router)
    app.include_router(review_routes.router)
    app.include_router(saved_filter_routes.router)
    app.include_router(phone_cue_routes.router)
    app.include_router(case_routes.router)
    app.include_router(audit_routes.router)
    # Before attention_routes: its /{entry_id} would take /agents, /proposals, /report.
    app.include_router(attention_control_routes.router)
    app.include_router(attention_routes.router)
    app.include_router(kpi_routes.router)
    app.include_router(campaign_routes.router)
    app.include_router(followup_routes.router)
    app.include_router(letter_routes.router)
    app.include_router(qa_routes.router)
    app.include_router(sales_routes.router)
    app.include_router(assignment_routes.router)
    app.add_api_route("/", _to_sign_in, include_in_schema=False)
    # Before the mount, so the pages' one mapping of coded values comes from labels.py.
    app.add_api_route("/app/labels.js", _labels, include_in_schema=False)
    # Plain HTML and JS, served as they lie: nothing to build before a user opens a page.
    app.mount("/app", StaticFiles(directory=STATIC_DIR, html=True), name="pages")
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the database (migrating it) and the per-process sign-in state; close on exit."""
    settings = _settings(app)
    app.state.database = await run_in_threadpool(open_database, settings.db_url,
                                                 node=settings.node_name)
    app.state.sign_ins = SignInStore(settings.web_session_hours * 3600)
    app.state.login_limiter = LoginLimiter(
        settings.web_login_attempts, settings.web_login_window_s
    )
    desk: LiveDesk | None = app.state.live_desk
    try:
        if desk is not None:
            await desk.start(app.state.database)
            await run_in_threadpool(settle_left_open, app.state.database)
        yield
    finally:
        if desk is not None:
            await desk.stop()
        app.state.database.close()


def _settings(app: FastAPI) -> Settings:
    """The settings dependency as resolved for this app, test overrides included."""
    provider = app.dependency_overrides.get(web_settings, web_settings)
    settings: Settings = provider()
    return settings


def _to_sign_in() -> RedirectResponse:
    return RedirectResponse("/app/")


def _labels() -> Response:
    return Response(labels_script(), media_type="text/javascript; charset=utf-8")
