"""The agent screen's live channel: /ws/calls/{id} streams the call's events as JSON."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from starlette.concurrency import run_in_threadpool

from huifang.calls.bus import EventBus
from huifang.calls.events import CallEvent
from huifang.web.call_access import visible_call
from huifang.web.deps import SESSION_COOKIE, still_signed_in
from huifang.web.event_json import event_json
from huifang.web.roles import sees_personal_data
from huifang.web.sign_ins import SignedInUser, SignInStore
from storage.database import Database

router = APIRouter()

# Close codes the screen's script tells apart: 4401 sign in again, 4404 no such call of yours.
CLOSE_SIGN_IN = 4401
CLOSE_NOT_FOUND = 4404


@router.websocket("/ws/calls/{call_id}")
async def call_events(websocket: WebSocket, call_id: int) -> None:
    """Stream a call's events to a signed-in user who may see the call."""
    user = await _admitted_user(websocket, call_id)
    if user is None:
        return
    bus: EventBus = websocket.app.state.event_bus
    await websocket.accept()
    masked = not sees_personal_data(user.role)
    async with bus.subscribe(call_id) as events:
        # Tells the screen (and tests) that everything published from now on will arrive.
        await websocket.send_json({"type": "subscribed", "call_id": call_id})
        await _forward(websocket, events, masked=masked, user=user)


async def _admitted_user(websocket: WebSocket, call_id: int) -> SignedInUser | None:
    """The user if the handshake is same-origin, signed in and allowed the call; else close."""
    if not _same_origin(websocket):
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return None
    store: SignInStore = websocket.app.state.sign_ins
    user = store.lookup(websocket.cookies.get(SESSION_COOKIE))
    if user is None or not await run_in_threadpool(_stands, websocket, user):
        await websocket.close(code=CLOSE_SIGN_IN)
        return None
    if not 1 <= call_id < 2**31 or not await run_in_threadpool(_may_see, websocket, user, call_id):
        await websocket.close(code=CLOSE_NOT_FOUND)
        return None
    return user


def _stands(websocket: WebSocket, user: SignedInUser) -> bool:
    """Whether the session still stands for an active user in the same role (database)."""
    db: Database = websocket.app.state.database
    return still_signed_in(db, user)


def _may_see(websocket: WebSocket, user: SignedInUser, call_id: int) -> bool:
    db: Database = websocket.app.state.database
    with db.session() as session:
        return visible_call(session, user, call_id) is not None


def _same_origin(websocket: WebSocket) -> bool:
    """Browsers send Origin on websocket handshakes; a foreign page must not ride the cookie."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: the cookie is the only credential it can have
    return urlsplit(origin).netloc == websocket.headers.get("host")


async def _forward(
    websocket: WebSocket, events: asyncio.Queue[CallEvent], *, masked: bool, user: SignedInUser
) -> None:
    """Send events until the browser goes away, or the user's session no longer stands
    (deactivated, role changed, revoked: checked before each event leaves, so nothing reaches
    a screen after the change)."""
    # Receiving notices the disconnect; the screen sends nothing over this channel yet.
    closed = asyncio.ensure_future(websocket.receive())
    try:
        while True:
            next_event = asyncio.ensure_future(events.get())
            done, _ = await asyncio.wait({closed, next_event}, return_when=asyncio.FIRST_COMPLETED)
            if closed in done:
                if closed.result()["type"] == "websocket.disconnect":
                    next_event.cancel()
                    return
                closed = asyncio.ensure_future(websocket.receive())  # ignore what it sent
            if next_event not in done:
                next_event.cancel()
                continue
            if not await run_in_threadpool(_stands, websocket, user):
                await websocket.close(code=CLOSE_SIGN_IN)
                return
            await websocket.send_json(event_json(next_event.result(), masked=masked))
    except WebSocketDisconnect:
        return
    finally:
        closed.cancel()
