"""Serving MCP over streamable HTTP: bearer-token check, DNS-rebinding protection, uvicorn.

The token is a shared secret (CRM_MCP_TOKEN) compared in constant time. Without it the server only
starts with an explicit `--no-auth`, and only on a loopback address, where no other machine can
reach it. Host/Origin checks stay on either way: a web page the user visits could otherwise reach a
loopback server through a rebinding DNS name.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import sys
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from tools.errors import InvalidArgument

TOKEN_ENV = "CRM_MCP_TOKEN"
# Extra Host names clients may use (a DNS name, a reverse proxy), comma-separated, when the server
# is bound to a wildcard or public address.
ALLOWED_HOSTS_ENV = "CRM_MCP_ALLOWED_HOSTS"
MCP_PATH = "/mcp"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost': addresses no other machine can connect to."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_http_settings(host: str, no_auth: bool) -> str | None:
    """The bearer token to require (None with `no_auth`); InvalidArgument for an unsafe setup."""
    if no_auth:
        if not is_loopback(host):
            raise InvalidArgument(
                f"--no-auth is only allowed on a loopback address (127.0.0.1, ::1, localhost), not {host}; "
                f"set {TOKEN_ENV} to serve other machines."
            )
        return None
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise InvalidArgument(
            f"--http needs a bearer token: set {TOKEN_ENV} (clients send 'Authorization: Bearer <token>'), "
            "or add --no-auth to serve only this machine on 127.0.0.1."
        )
    return token


class BearerTokenGate:
    """ASGI middleware: every HTTP request needs `Authorization: Bearer <token>`, else 401 JSON."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan events carry no credentials
            await self.app(scope, receive, send)
            return
        scheme, _, given = Headers(scope=scope).get("authorization", "").partition(" ")
        # compare_digest: the time taken must not reveal how much of a guess was right.
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self._token):
            await self.app(scope, receive, send)
            return
        reason = "missing bearer token" if not given else "invalid bearer token"
        response = JSONResponse(
            {
                "error": "unauthorized",
                "error_description": f"{reason}: send 'Authorization: Bearer <{TOKEN_ENV}>'",
            },
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="crm-assistant"'},
        )
        await response(scope, receive, send)


def _hostport(name: str, port: int) -> str:
    if ":" in name and not name.startswith("["):  # a bare IPv6 address
        name = f"[{name}]"
    return f"{name}:{port}"


def allowed_hosts(host: str, port: int) -> list[str]:
    """The Host header values to accept: the bound address and port (and its loopback aliases).

    A wildcard bind (0.0.0.0, ::) is reached under names this process can't know, so it accepts
    the machine's host name plus whatever CRM_MCP_ALLOWED_HOSTS lists.
    """
    import socket

    names = [host]
    if is_loopback(host):
        names += ["127.0.0.1", "localhost"] + (["::1"] if ":" in host else [])
    if host in ("0.0.0.0", "::", ""):
        names += ["127.0.0.1", "localhost", socket.gethostname()]
    hosts = [_hostport(n, port) for n in dict.fromkeys(names) if n]
    for extra in os.environ.get(ALLOWED_HOSTS_ENV, "").split(","):
        extra = extra.strip()
        if extra:
            # As given ("crm.example.com" behind a proxy on 443, or "name:port"), and on our port.
            hosts += [extra, _hostport(extra, port)] if not extra.rsplit(":", 1)[-1].isdigit() else [extra]
    return list(dict.fromkeys(hosts))


def transport_security(host: str, port: int) -> Any:
    """The SDK's DNS-rebinding protection, on, for this bind address."""
    from mcp.server.transport_security import TransportSecuritySettings

    hosts = allowed_hosts(host, port)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")],
    )


def http_app(server: Any, *, host: str, port: int, token: str | None) -> ASGIApp:
    """The ASGI app: streamable HTTP at /mcp, behind the token gate when a token is set."""
    app: ASGIApp = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=transport_security(host, port),
        host=host,
    )
    return BearerTokenGate(app, token) if token else app


def serve_http(server: Any, *, host: str, port: int, token: str | None) -> None:
    """Run the HTTP server with uvicorn until interrupted."""
    import uvicorn

    shown = f"[{host}]" if ":" in host else host
    auth = "bearer token required" if token else "NO authentication (loopback only)"
    print(f"crm mcp: serving http://{shown}:{port}{MCP_PATH} ({auth})", file=sys.stderr, flush=True)
    config = uvicorn.Config(
        http_app(server, host=host, port=port, token=token),
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
    )
    uvicorn.Server(config).run()
