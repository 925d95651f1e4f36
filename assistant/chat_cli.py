"""`crm chat`: the conversation engine on a terminal, or line by line from a pipe (`--json` for scripts).

On a terminal the prompt has line editing and a history kept between sessions (readline), and a
few words are the chat's own commands whatever is pending: `exit`/`quit` leave, `help` shows what
to type, `cancel` drops a pending question, `/show N` prints note N whole — none of them is ever
read as an answer or a name.
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import suppress
from pathlib import Path
from typing import Any, TextIO

from assistant.conversation import Reply, State, respond
from assistant.render import note
from tools.context import ToolContext
from tools.errors import USER_ERRORS
from tools.history import plan_undo, undo_change
from tools.notes import get_interaction

EXIT_WORDS = frozenset({"exit", "quit", "bye", ":q", "/exit", "/quit"})
HELP_WORDS = frozenset({"help", "?", "/help"})
CANCEL_WORDS = frozenset({"cancel", "/cancel", "never mind", "nevermind"})
UNDO_WORDS = frozenset({"undo", "/undo", "undo that", "undo it", "undo last"})
YES_WORDS = frozenset({"y", "yes", "yes undo", "yes, undo", "ok", "sure"})
HISTORY_LINES = 1000


def _payload(reply: Any) -> dict[str, Any]:
    return {
        "reply": reply.text,
        "actions": reply.actions,
        "choices": [{"label": c.label, "answer": c.answer} for c in reply.choices],
        "pending": bool(reply.state.pending),
        "batch": reply.batch,
    }


def _one(ctx: ToolContext, line: str, state: Any, n: int) -> Any:

    try:
        return respond(ctx, line, state, message_ref=f"cli:{n}")
    except Exception as e:  # the engine already answers user mistakes; this keeps the loop alive regardless
        return Reply(
            text=f"Sorry — that failed ({type(e).__name__}: {e}). Nothing more was changed.", state=State()
        )


def _command(ctx: ToolContext, line: str, state: Any, n: int) -> Any | None:
    """The chat's own words (help, cancel), answered without touching a pending question's meaning."""

    word = " ".join(line.lower().split()).rstrip(".!")
    if word in HELP_WORDS:
        helped = _one(ctx, "help", State(), n)
        # Help answers in passing: the question asked before it is still open.
        pending = state is not None and state.pending
        tail = "\n\n(I'm still waiting for your answer to my question, or type 'cancel'.)" if pending else ""
        return Reply(text=helped.text + tail, state=state or State())
    shown = re.fullmatch(r"/?show\s+(?:note\s+)?#?(\d+)", word)
    if shown:  # a shortened note ends in "(/show N)": this is N whole
        try:
            text = note(get_interaction(ctx, int(shown.group(1))), ctx.today())
        except USER_ERRORS as e:
            text = str(e)
        return Reply(text=text, state=state or State())
    if word in CANCEL_WORDS:
        if state is not None and state.pending:
            return Reply(text="OK, I dropped that question; nothing was saved.", state=State())
        return Reply(text="Nothing to cancel.", state=State())
    return None


def _big_undo(ctx: ToolContext, word: str) -> Any | None:
    """'undo' of a change that removes several records (or an import): the plan to confirm, else None."""
    if word not in UNDO_WORDS:
        return None

    try:
        plan = plan_undo(ctx)
    except USER_ERRORS:
        return None  # nothing to undo, or refused: the engine says so in its words
    return plan if plan.needs_confirmation else None


def _confirmed(ctx: ToolContext, plan: Any, line: str) -> tuple[str, bool]:
    """The answer to "Undo …? (yes/no)": (reply, whether the line was only that answer)."""

    word = " ".join(line.lower().split()).rstrip(".!")
    if word not in YES_WORDS:
        return "Kept — nothing was undone.", word in ("n", "no", "no thanks", "keep", "keep it")
    try:
        done = undo_change(ctx, plan.batch)
    except USER_ERRORS as e:
        return str(e), True
    return (
        f"Undone: {done.summary}. Removed {plan.removed}." if plan.removed else f"Undone: {done.summary}.",
        True,
    )


def _history_file() -> Path | None:
    try:
        from platformdirs import user_data_dir  # only on a terminal: a piped chat keeps no history

        return Path(user_data_dir("crm-assistant", appauthor=False)) / "chat_history"
    except Exception:  # no home directory: history just isn't kept
        return None


def _readline_on() -> Path | None:
    """Line editing and history for input(); returns the history file to save to, if any."""
    try:
        import readline  # terminal only: a piped or --json chat never loads line editing
    except ImportError:  # Windows without pyreadline: plain input still works
        return None
    path = _history_file()
    readline.set_history_length(HISTORY_LINES)
    if path is not None and path.exists():
        with suppress(OSError):  # an unreadable history is no reason to refuse the chat
            readline.read_history_file(path)
    return path


def _keys_as_typed(inp: TextIO) -> list[Any] | None:  # termios attributes
    """Keep the terminal out of line mode between prompts; returns its settings to restore.

    Readline switches line mode off while it reads and back on after. Keys typed while an answer is
    being worked out would otherwise wait in line mode, where a Ctrl-D is a line end rather than a
    key, and be lost when readline takes over: the session would not end. Out of line mode, every key
    waits as typed. Echo and Ctrl-C stay as they were.
    """
    try:
        import termios  # terminal only (and POSIX only)

        saved = termios.tcgetattr(inp.fileno())
        mode = list(saved)
        mode[3] &= ~termios.ICANON
        mode[6] = list(mode[6])
        mode[6][termios.VMIN], mode[6][termios.VTIME] = 1, 0
        termios.tcsetattr(inp.fileno(), termios.TCSADRAIN, mode)
        return saved
    except (ImportError, OSError, ValueError):  # not a POSIX terminal: readline (if any) copes alone
        return None


def _save_history(path: Path | None) -> None:
    if path is None:
        return
    try:
        import readline  # terminal only: a piped or --json chat never loads line editing

        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        readline.write_history_file(path)
        path.chmod(0o600)  # what reps typed names customers and people: theirs to read only
    except (ImportError, OSError):
        pass  # history is a convenience; never fail the chat for it


def run_chat(
    ctx: ToolContext, *, as_json: bool, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    """Talk to the assistant: a prompt on a terminal, else a message per input line; returns the exit code."""

    inp, out = stdin or sys.stdin, stdout or sys.stdout
    interactive = inp.isatty() and out.isatty() and not as_json and stdin is None
    if interactive:
        out.write(f"crm chat — as {ctx.actor}. Type 'help' for examples, 'exit' or Ctrl-D to leave.\n")
        history = _readline_on()
        saved = _keys_as_typed(inp)
        try:
            return _loop(ctx, lambda: input("> ") + "\n", out, interactive=True, as_json=False, state=State())
        finally:
            _save_history(history)
            if saved is not None:
                import termios  # terminal only (and POSIX only)

                termios.tcsetattr(inp.fileno(), termios.TCSADRAIN, saved)
    return _loop(ctx, inp.readline, out, interactive=False, as_json=as_json, state=State())


def _loop(ctx: ToolContext, read: Any, out: TextIO, *, interactive: bool, as_json: bool, state: Any) -> int:
    n = 0
    confirming = None  # an undo plan waiting for yes/no
    while True:
        try:
            line = read()
        except (KeyboardInterrupt, EOFError):
            out.write("\n")
            return 0
        except UnicodeDecodeError:
            line = "\ufffd\n"  # undecodable bytes: answer the line instead of dying
        if not line:
            return 0
        line = line.rstrip("\r\n")
        n += 1
        if interactive and not line.strip():
            continue
        if " ".join(line.lower().split()) in EXIT_WORDS:
            if as_json:
                out.write(
                    json.dumps(
                        {"reply": "Bye.", "actions": [], "choices": [], "pending": False, "batch": None}
                    )
                    + "\n"
                )
            elif interactive:
                out.write("Bye.\n")
            out.flush()
            return 0
        reply, confirming = _answer(ctx, line, state, n, confirming)
        state = reply.state
        _write(out, reply, as_json=as_json, interactive=interactive)


def _answer(ctx: ToolContext, line: str, state: Any, n: int, confirming: Any) -> tuple[Any, Any]:
    """The reply to one line, and the undo plan now waiting for a yes/no (if any)."""

    if confirming is not None:
        answer, only = _confirmed(ctx, confirming, line)
        if only:
            return Reply(text=answer, state=state), None
        # Neither yes nor no: not undone, and the line is read as the message it is.
        other = _command(ctx, line, state, n) or _one(ctx, line, state, n)
        return Reply(
            text=f"{answer}\n{other.text}",
            state=other.state,
            choices=other.choices,
            actions=other.actions,
            batch=other.batch,
        ), None
    plan = _big_undo(ctx, " ".join(line.lower().split()).rstrip(".!"))
    if plan is not None:
        return Reply(text=plan.question() + " (yes / no)", state=state), plan
    return _command(ctx, line, state, n) or _one(ctx, line, state, n), None


def _write(out: TextIO, reply: Any, *, as_json: bool, interactive: bool) -> None:
    if as_json:
        out.write(json.dumps(_payload(reply), ensure_ascii=False, default=str) + "\n")
    else:
        out.write(reply.text + "\n")  # a question's options are numbered in its text already
        if not interactive:
            out.write("\n")
    out.flush()
