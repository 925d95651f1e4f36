"""The engine's variant sets and the (now seen) holdout, through the acceptance runner's own checks.

Each file runs with `tests/holdout/fast_eval.py` (run_eval.py's cases and checks, served in one
process): every core case must pass and nothing may land on the wrong customer.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    ROOT / "tests/assistant/seed_variants.json",
    ROOT / "tests/assistant/seed_variants_2.json",
    ROOT / "tests/assistant/seed_variants_3.json",
    ROOT / "tests/assistant/seed_variants_4.json",
    ROOT / "tests/assistant/seed_variants_5.json",
    ROOT / "tests/holdout/fresh_cases.json",
]


def _fast_eval() -> Any:
    spec = importlib.util.spec_from_file_location("fast_eval", ROOT / "tests/holdout/fast_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("cases", FILES, ids=[f.stem for f in FILES])
def test_every_core_case_passes_with_no_wrong_write(
    cases: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["fast_eval", str(cases)])
    code = _fast_eval().main()
    out = capsys.readouterr().out
    failed = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert code == 0 and not failed, "\n".join(failed or out.splitlines()[-2:])
