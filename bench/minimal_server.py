"""The reference for the MCP ratios: the smallest server the `mcp` SDK makes, with one echo tool.

`python -m bench.minimal_server` serves it over stdio. It is what any server built on the SDK pays
(interpreter, the SDK's imports, its request handling); `crm mcp` is measured against it in the
same run: start to answered `initialize`, and a small `tools/call` against `echo`.
"""

from __future__ import annotations

from mcp.server import MCPServer

server = MCPServer("bench-minimal", instructions="A reference server with one tool.")


@server.tool()
def echo(text: str) -> str:
    """Return `text` unchanged."""
    return text


if __name__ == "__main__":
    server.run("stdio")
