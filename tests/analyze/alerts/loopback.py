"""Loopback receivers for the alert tests: a webhook (a Starlette app served on 127.0.0.1) that keeps
every JSON body it accepts and can be told to answer 500, and a minimal SMTP server in a thread that
keeps every message and the AUTH PLAIN credentials it was given."""

from __future__ import annotations

import base64
import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakeplatform.server import serve

#: The secret part of the loopback webhook's address.
WEBHOOK_SECRET = "T0123-hook-secret-4567"


@dataclass
class Webhook:
    """What the webhook received; ``fail`` answers that many requests with 500 first."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    fail: int = 0
    refused: int = 0


@contextmanager
def webhook() -> Iterator[Webhook]:
    """A webhook receiver on loopback until the block ends."""
    state = Webhook()

    async def hook(request: Request) -> JSONResponse:
        body = await request.json()
        if state.fail > 0:
            state.fail -= 1
            state.refused += 1
            return JSONResponse({"error": "down"}, status_code=500)
        state.received.append(body)
        return JSONResponse({"ok": True})

    # The path holds a secret, as Slack's and Teams' webhook addresses do: it must never be shown.
    with serve(Starlette(routes=[Route("/hook/{secret}", hook, methods=["POST"])])) as root:
        state.url = f"{root}/hook/{WEBHOOK_SECRET}"
        yield state


@dataclass
class Mailbox:
    """What the SMTP server received."""

    port: int = 0
    messages: list[Message] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    box: Mailbox

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 loopback ESMTP")
        while raw := self.rfile.readline():
            line = raw.decode().rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self._say("250-loopback")
                self._say("250 AUTH PLAIN")
            elif verb == "HELO" or verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self._say("250 ok")
            elif verb == "AUTH":
                token = line.split(" ")[2]
                self.box.logins.append(base64.b64decode(token).decode().split("\0")[2])
                self._say("235 ok")
            elif verb == "DATA":
                self._say("354 go on")
                lines: list[bytes] = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                self.box.messages.append(
                    email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                )
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 not here")


@contextmanager
def smtp() -> Iterator[Mailbox]:
    """An SMTP server on loopback (no TLS) until the block ends."""
    box = Mailbox()
    handler = type("Handler", (_Handler,), {"box": box})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    box.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
