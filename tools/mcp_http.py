"""Serving MCP over streamable HTTP: bearer tokens, DNS-rebinding protection, uvicorn.

Each rep has their own token (`crm users token NAME`, stored as a hash): a request carrying it acts
as that rep, so their writes, their undo and the change log are theirs. The single shared secret
CRM_MCP_TOKEN still works for one-person use and acts as the server's user (CRM_USER); both are
compared in constant time. Without any token the server only starts with an explicit `--no-auth`,
and only on a loopback address, where no other machine can reach it. Host/Origin checks stay on
either way: a web page the user visits could otherwise reach a loopback server through a rebinding
DNS name. The address is bound before "serving" is said, so a port in use or a machine without IPv6
is one clear line, not a promise followed by an exit.
"""

from __future__ import annotations

import errno
import hmac
import ipaddress
import os
import socket
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

import anyio.to_thread
import uvicorn
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from store import Store
from tools.context import Identity, acting_as
from tools.errors import InvalidArgument, StorageError
from tools.tokens import has_tokens, identity_for_token

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


def check_http_settings(host: str, no_auth: bool, *, store: Store | None = None) -> str | None:
    """The shared token to accept: CRM_MCP_TOKEN, or "" when only reps' own tokens (in `store`) are.

    None with `no_auth`. InvalidArgument for an unsafe setup, or one nobody could sign in to.
    """
    if no_auth:
        if not is_loopback(host):
            raise InvalidArgument(
                f"--no-auth is only allowed on a loopback address (127.0.0.1, ::1, localhost), not {host}; "
                f"give each rep a token (crm users token NAME) or set {TOKEN_ENV} to serve other machines."
            )
        return None
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token and not (store is not None and has_tokens(store)):
        raise InvalidArgument(
            "--http needs bearer tokens: give each rep one with `crm users token NAME`, or set "
            f"{TOKEN_ENV} for one-person use (clients send 'Authorization: Bearer <token>'); "
            "or add --no-auth to serve only this machine on 127.0.0.1."
        )
    return token


Lookup = Callable[[str], Identity | None]


def _refuse(status: int, error: str, description: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="crm-assistant"'} if status == 401 else None
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


class BearerTokenGate:
    """ASGI middleware: every HTTP request needs `Authorization: Bearer <token>`, else 401 JSON.

    `token` (CRM_MCP_TOKEN) passes as the server's own user; a rep's token, found by `lookup`,
    makes the request act as that rep (a contextvar the tools read, for this request only). A token
    revoked or rotated is refused from the next request on: it is looked up every time.
    """

    def __init__(self, app: ASGIApp, token: str | None, lookup: Lookup | None = None) -> None:
        self.app = app
        self._token = token.encode() if token else None
        self._lookup = lookup

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan events carry no credentials
            await self.app(scope, receive, send)
            return
        scheme, _, given = Headers(scope=scope).get("authorization", "").partition(" ")
        given = given.strip()
        if scheme.lower() == "bearer" and given:
            # compare_digest: the time taken must not reveal how much of a guess was right.
            if self._token is not None and hmac.compare_digest(given.encode(), self._token):
                await self.app(scope, receive, send)
                return
            if self._lookup is not None and len(given) <= 512:
                try:
                    # The lookup reads the database: off the event loop, so one slow read stalls no one.
                    identity = await anyio.to_thread.run_sync(self._lookup, given)
                except StorageError as e:
                    await _refuse(503, "unavailable", str(e))(scope, receive, send)
                    return
                if identity is not None:
                    with acting_as(identity):
                        await self.app(scope, receive, send)
                    return
        reason = "missing bearer token" if not given else "unknown or revoked bearer token"
        wanted = "a rep's token (crm users token NAME)" if self._lookup is not None else ""
        if self._token is not None:
            wanted = f"{wanted} or {TOKEN_ENV}" if wanted else f"<{TOKEN_ENV}>"
        await _refuse(401, "unauthorized", f"{reason}: send 'Authorization: Bearer' with {wanted}")(
            scope, receive, send
        )


def _hostport(name: str, port: int) -> str:
    if ":" in name and not name.startswith("["):  # a bare IPv6 address
        name = f"[{name}]"
    return f"{name}:{port}"


def allowed_hosts(host: str, port: int) -> list[str]:
    """The Host header values to accept: the bound address and port (and its loopback aliases).

    A wildcard bind (0.0.0.0, ::) is reached under names this process can't know, so it accepts
    the machine's host name plus whatever CRM_MCP_ALLOWED_HOSTS lists.
    """
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
    hosts = allowed_hosts(host, port)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")],
    )


def http_app(
    server: Any, *, host: str, port: int, token: str | None, lookup: Lookup | None = None
) -> ASGIApp:
    """The ASGI app: streamable HTTP at /mcp, behind the token gate unless `token` is None (--no-auth).

    `token` is the shared CRM_MCP_TOKEN ("" for none); `lookup` finds the rep of any other token.
    """
    app: ASGIApp = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=transport_security(host, port),
        host=host,
    )
    if token is None:
        return app
    return BearerTokenGate(app, token or None, lookup)


def _bind_failure(host: str, port: int, error: OSError) -> InvalidArgument:
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    ipv6 = ":" in host
    if error.errno == errno.EADDRINUSE:
        why = f"port {port} is already in use (another crm mcp?); choose another with --port"
    elif ipv6 and (
        isinstance(error, socket.gaierror)
        or error.errno in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL, errno.EPROTONOSUPPORT)
    ):
        why = (
            "IPv6 is not available on this machine; use --host 127.0.0.1"
            if is_loopback(host)
            else f"{host} is not an IPv6 address of this machine (or IPv6 is off)"
        )
    elif error.errno == errno.EADDRNOTAVAIL:
        why = f"{host} is not an address of this machine"
    elif error.errno == errno.EACCES:
        why = f"not allowed to listen on port {port} (ports below 1024 need extra rights)"
    elif isinstance(error, socket.gaierror):
        why = f"no such host name {host!r}"
    else:
        why = error.strerror or str(error)
    return InvalidArgument(f"cannot serve on {shown}: {why}.")


def _address(host: str, port: int, family: socket.AddressFamily) -> Any:
    """What bind() takes: an IP address as it is (no resolver involved), a name looked up."""
    try:
        ipaddress.ip_address(host)
        return (host, port, 0, 0) if family == socket.AF_INET6 else (host, port)
    except ValueError:
        return socket.getaddrinfo(host or None, port, family, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)[0][4]


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (IPv6 when the host is an IPv6 address); InvalidArgument if it can't be."""
    bare = host.strip("[]")
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    try:
        address = _address(bare, port, family)
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only for that proto, and
        # without it each response after a connection's first waited ~40 ms (Nagle + delayed ACK).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    except OSError as e:
        raise _bind_failure(bare, port, e) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise _bind_failure(bare, port, e) from None
    return sock


def serve_http(server: Any, *, host: str, port: int, token: str | None) -> None:
    """Run the HTTP server with uvicorn until interrupted.

    `token` as check_http_settings gives it. Reps' tokens are looked up in the server's store.
    """
    host = host.strip("[]")
    store: Store = server.crm.store
    lookup = None if token is None else partial(identity_for_token, store)
    app = http_app(server, host=host, port=port, token=token, lookup=lookup)
    sock = listen(host, port)  # before saying "serving": a port in use or no IPv6 is one line
    shown = f"[{host}]" if ":" in host else host
    if token is None:
        auth = "NO authentication (loopback only)"
    else:
        kinds = (["reps' tokens (crm users token)"] if has_tokens(store) else []) + (
            [TOKEN_ENV] if token else []
        )
        auth = "bearer token required: " + " or ".join(kinds or ["reps' tokens (none yet)"])
    print(f"crm mcp: serving http://{shown}:{port}{MCP_PATH} ({auth})", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])
