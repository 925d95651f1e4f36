"""The acceptance runner (`run_eval.py`) in one process, for a quick loop while working on the engine.

    python tests/holdout/fast_eval.py tests/holdout/fresh_cases.json [-v]
    python tests/holdout/fast_eval.py ../shared/eval/conversation_cases.json

It runs the very same `run_eval.main` — the same cases, checks and summary — but `crm import`,
`crm chat --json` and `crm export` are served in-process (the same functions those commands call)
instead of one `crm` process per case, so a 100-case file takes seconds rather than minutes.
CI and the lead use `run_eval.py --crm crm`; this is not a substitute for that run.
"""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from assistant.chat_cli import run_chat
from store import Store
from tools.context import open_context
from tools.transfer import export_data, import_file

HERE = Path(__file__).resolve().parent
RUNNERS = (HERE.parents[1] / "../shared/eval/run_eval.py", HERE.parent / "acceptance/run_eval.py")
_stores: dict[str, Store] = {}


def _store(env: dict[str, str]) -> Store:
    db = env["CRM_DB"]
    if db not in _stores:
        _stores[db] = Store(db)
    return _stores[db]


def _run(cmd: list[str], env: dict[str, str], stdin: str = "", timeout: float = 120) -> Any:
    store = _store(env)
    ctx = open_context(
        user=env["CRM_USER"], now=env["CRM_NOW"], tz=env.get("CRM_TZ"), source="cli", store=store
    )
    out = io.StringIO()
    if cmd[-2] == "import":
        import_file(ctx, cmd[-1])
        code = 0
    elif cmd[-2:] == ["chat", "--json"]:
        code = run_chat(ctx, as_json=True, stdin=io.StringIO(stdin), stdout=out)
    elif cmd[-1] == "export":
        out.write(json.dumps(export_data(ctx), ensure_ascii=False, default=str))
        code = 0
    else:
        raise SystemExit(f"fast_eval cannot serve {cmd}")
    return subprocess.CompletedProcess(cmd, code, out.getvalue(), "")


def main() -> int:
    path = next(p for p in RUNNERS if p.exists())
    spec = importlib.util.spec_from_file_location("run_eval", path)
    assert spec is not None and spec.loader is not None
    run_eval = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_eval)
    run_eval.run = _run
    sys.argv = [str(path), *sys.argv[1:], "--crm", "crm"]
    return int(run_eval.main())


if __name__ == "__main__":
    sys.exit(main())
