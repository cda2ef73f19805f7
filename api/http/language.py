"""The language of each HTTP request: ``Accept-Language``, else the server's default.

A pure ASGI middleware (Starlette's ``BaseHTTPMiddleware`` would run the app in another
task and lose the context variable) sets graph.i18n's language for the whole request, so
every message the request produces (a 401 of the gate, a resolver's refusal, an analysis
computed on a pool thread: api.graphql.pools runs work in a copy of the request's
context) is in that language.  The answer says which one in ``Content-Language``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import i18n


def requested(scope: Scope) -> str:
    """The request's language: the first supported one of ``Accept-Language``, else the
    server's (``--lang`` / ``JINLIN_LANG``, else Chinese)."""
    header = next((value.decode("latin-1") for name, value in scope.get("headers", ())
                   if name == b"accept-language"), None)
    return i18n.from_accept_language(header) or i18n.current()


class Language:
    """Run ``app`` in the request's language and label the answer with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # a socket's close reasons (api.http.sockets)
            with i18n.language(requested(scope)):
                await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = requested(scope)

        async def labelled(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ())
                           if k.lower() != b"content-language"]
                message = {**message, "headers": [*headers, (b"content-language", lang.encode())]}
            await send(message)

        with i18n.language(lang):
            await self.app(scope, receive, labelled)
