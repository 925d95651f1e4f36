"""`crm chat`: the conversation engine on a terminal, or line by line from a pipe (`--json` for scripts)."""
from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from tools.context import ToolContext


def _payload(reply: Any) -> dict[str, Any]:
    return {
        "reply": reply.text,
        "actions": reply.actions,
        "choices": [{"label": c.label, "answer": c.answer} for c in reply.choices],
        "pending": bool(reply.state.pending),
        "batch": reply.batch,
    }


def _one(ctx: ToolContext, line: str, state: Any, n: int) -> Any:
    from assistant.conversation import Reply, State, respond

    try:
        return respond(ctx, line, state, message_ref=f"cli:{n}")
    except Exception as e:  # the engine already answers user mistakes; this keeps the loop alive regardless
        return Reply(text=f"Sorry — that failed ({type(e).__name__}: {e}). Nothing more was changed.", state=State())


def run_chat(ctx: ToolContext, *, as_json: bool, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Talk to the assistant: a prompt on a terminal, else one message per input line. Returns the exit code."""
    from assistant.conversation import State

    inp, out = stdin or sys.stdin, stdout or sys.stdout
    interactive = inp.isatty() and not as_json
    state = State()
    if interactive:
        out.write(f"crm chat — as {ctx.actor}. Type 'help' for examples, Ctrl-D to leave.\n")
    n = 0
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        try:
            line = inp.readline()
        except KeyboardInterrupt:
            out.write("\n")
            return 0
        except UnicodeDecodeError:
            line = "\ufffd\n"  # undecodable bytes: answer the line instead of dying
        if not line:
            if interactive:
                out.write("\n")
            return 0
        line = line.rstrip("\r\n")
        n += 1
        if interactive and not line.strip():
            continue
        reply = _one(ctx, line, state, n)
        state = reply.state
        if as_json:
            out.write(json.dumps(_payload(reply), ensure_ascii=False, default=str) + "\n")
        else:
            out.write(reply.text + "\n")  # a question's options are numbered in its text already
            if not interactive:
                out.write("\n")
        out.flush()
