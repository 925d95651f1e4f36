"""The `crm` command in a rep's first ten minutes: an 80-column terminal, undo after the demo, typos.

Each test runs `crm` as a subprocess (COLUMNS=80 unless it says otherwise); progress and questions
need a terminal, so those run under a pseudo-terminal. Most are forks of a warm `crm`
(tests/e2e/crm_zygote.py); `real=True` starts `python -m assistant` itself.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Databases, NewDb
from tests.e2e.crm_zygote import REAL, command
from tests.e2e.test_cli import NOW, REPO, ok, refused, rows, run_crm

pytestmark = pytest.mark.e2e


def crm80(
    *args: str, db: str | Path, columns: int = 80, real: bool = False
) -> subprocess.CompletedProcess[str]:
    return run_crm(
        *args,
        env={"CRM_DB": str(db), "CRM_USER": "sam", "CRM_NOW": NOW, "CRM_TZ": "UTC", "COLUMNS": str(columns)},
        real=real,
    )


def on_a_terminal(
    *args: str, db: str | Path, answer: bytes | None = None, real: bool = False
) -> tuple[int, str]:
    """Run `crm ARGS` with stdin/stdout/stderr on a pseudo-terminal; (exit code, everything it wrote)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(
        CRM_DB=str(db),
        CRM_USER="sam",
        CRM_NOW=NOW,
        CRM_TZ="UTC",
        COLUMNS="80",
        TERM="dumb",
        PYTHONPATH=str(REPO),
    )
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [*(REAL if real else command()), *args],
        cwd=REPO,
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
    )
    os.close(follower)
    if answer is not None:
        os.write(leader, answer)
    out = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            proc.kill()
            raise AssertionError(f"crm {' '.join(args)} hung; wrote {out!r}")
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    return proc.wait(30), out.decode(errors="replace")


@pytest.fixture(scope="module")
def demo_db(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> str | Path:
    """The demo data as `crm demo` leaves it (from the session's template), shared by the module's readers."""
    return databases.new(tmp_path_factory.mktemp("demo"), "demo.db", template="demo")


def test_tables_fit_an_80_column_terminal_and_json_is_whole(demo_db: str | Path) -> None:
    name = json.loads(ok(crm80("find", "--json", "--limit", "1", db=demo_db)))["items"][0]["name"]
    for args in (["find"], ["search", "budget"], ["customer", name], ["due"], ["changes"], ["stale"]):
        out = ok(crm80(*args, db=demo_db))
        assert out.strip(), args
        widest = max(out.splitlines(), key=len)
        assert len(widest) <= 80, (args, widest)
    table = ok(crm80("find", db=demo_db))
    assert table.splitlines()[0].split()[:3] == ["id", "name", "stage"]
    # A wider terminal gets more; --json never changes with the width.
    assert "tags" in ok(crm80("find", db=demo_db, columns=160)).splitlines()[0]
    narrow, wide = (json.loads(ok(crm80("find", "--json", db=demo_db, columns=c))) for c in (40, 200))
    assert narrow == wide


def test_undo_right_after_the_demo_says_what_it_removes_and_needs_yes(new_db: NewDb) -> None:
    db = new_db("demo.db", template="demo")
    before = rows(db)
    line = refused(crm80("undo", db=db))
    assert "20 customers" in line and "52 notes" in line and "17 follow-ups" in line and "--yes" in line
    assert rows(db) == before  # asked, nothing removed
    done = ok(crm80("undo", "--yes", db=db))
    assert done.startswith("Undone: import demo data.") and "20 customers" in done
    assert "No customers found." in ok(crm80("find", db=db))


def test_undo_of_one_note_does_not_ask(new_db: NewDb) -> None:
    db = new_db("copy.db", template="demo")
    ok(crm80("tool", "log_interaction", '{"customer": "Acme Corp", "body": "Asked about invoices"}', db=db))
    assert ok(crm80("undo", db=db)).startswith("Undone: log note on Acme Corp.")


def test_undo_on_a_terminal_asks_yes_or_no(new_db: NewDb) -> None:
    db = new_db("demo.db", template="demo")
    code, out = on_a_terminal("undo", db=db, answer=b"n\n", real=True)
    assert code == 1 and "It removes 20 customers" in out and "[y/N]" in out
    assert rows(db)["customer"] == 20
    code, out = on_a_terminal("undo", db=db, answer=b"y\n")
    assert code == 0 and "Undone: import demo data." in out
    assert rows(db)["customer"] == 0


def test_version_and_a_mistyped_command(new_db: NewDb) -> None:
    assert ok(run_crm("--version", real=True)).startswith("crm 0.")
    typo = run_crm("fnd", "acme", db=new_db("x.db"))
    assert typo.returncode == 2 and typo.stdout == ""
    assert typo.stderr.strip().splitlines() == ["crm: unknown command 'fnd', did you mean find?"]
    nonsense = run_crm("xyzzy", db=new_db("x.db"))
    assert nonsense.stderr.count("\n") == 1 and "did you mean" not in nonsense.stderr


def test_command_help_explains_its_own_options_only() -> None:
    text = ok(run_crm("find", "--help", real=True))
    for option, words in (
        ("--stage", "stage"),
        ("--owner", "rep"),
        ("--limit", "at most"),
        ("--cursor", "continue"),
    ):
        line = next(line for line in text.splitlines() if line.strip().startswith(option))
        assert words in line, line
    assert "--now NOW" not in text and "--db DB" not in text and "--user USER" not in text
    assert "--db, --user, --now and --tz work with every command" in text
    assert "--db DB" in ok(run_crm("--help"))


def test_a_database_in_a_missing_folder_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    line = refused(run_crm("--db", str(missing / "x.db"), "find", env={"CRM_USER": "sam"}))
    assert str(missing) in line and "no folder" in line
    assert not missing.exists() and not missing.parent.exists()


def test_import_shows_progress_on_a_terminal_only(tmp_path: Path, new_db: NewDb) -> None:
    csv = tmp_path / "customers.csv"
    csv.write_text("name,stage\n" + "".join(f"Customer {n},lead\n" for n in range(300)), encoding="utf-8")
    code, out = on_a_terminal("import", str(csv), db=new_db("tty.db"))
    assert code == 0 and f"Importing {csv} (300 rows)…" in out and "Imported 300 new" in out
    piped = ok(crm80("import", str(csv), db=new_db("piped.db")))
    assert "Imported 300 new" in piped
    assert crm80("import", str(csv), db=new_db("again.db")).stderr == ""


def test_stages_are_shown_and_set_in_the_database(new_db: NewDb) -> None:
    db = new_db("stages.db")
    shown = ok(crm80("stages", db=db, real=True)).splitlines()
    assert shown[:6] == [
        "1. lead",
        "2. qualified",
        "3. proposal",
        "4. negotiation",
        "5. won  (closed)",
        "6. lost  (closed)",
    ]
    ok(
        crm80(
            "stages",
            "set",
            "lead",
            "demo",
            "trial",
            "dormant",
            "won",
            "lost",
            "--closed",
            "won,lost,dormant",
            db=db,
        )
    )
    data = json.loads(ok(crm80("stages", "--json", db=db)))
    assert data == {
        "stages": ["lead", "demo", "trial", "dormant", "won", "lost"],
        "closed": ["dormant", "won", "lost"],
    }
    ok(crm80("tool", "create_customer", '{"name": "Juno Pet Supplies", "stage": "trial"}', db=db))
    assert "trial" in refused(crm80("tool", "set_stage", '{"customer": "Juno", "stage": "proposal"}', db=db))
    ok(crm80("tool", "set_stage", '{"customer": "Juno", "stage": "dormant"}', db=db))
    pipeline = json.loads(ok(crm80("pipeline", "--json", db=db)))
    assert [t["stage"] for t in pipeline["stages"]] == ["lead", "demo", "trial", "dormant", "won", "lost"]
    assert pipeline["open_count"] == 0  # dormant counts as closed
    assert "closed" in refused(crm80("stages", "set", "won", "lost", db=db))
    moved_on = ok(crm80("stages", "set", "lead", "trial", "won", "lost", db=db))
    assert "Note: 1 customer still in 'dormant' (not a stage any more); they keep it until moved." in moved_on


def test_did_you_mean_offers_only_close_names(demo_db: str | Path) -> None:
    assert "Did you mean" not in refused(crm80("customer", "brightline", db=demo_db))
    line = refused(crm80("customer", "Stark", "Logistcs", "Group", db=demo_db))
    assert line.endswith("Did you mean: Stark Logistics (#6)?")


def test_chat_show_prints_a_shortened_note_whole(new_db: NewDb) -> None:
    db = new_db(template="demo")
    body = "Rollout review. " + " ".join(f"point {n} of the plan" for n in range(30)) + " THE END"
    note = json.loads(
        ok(crm80("tool", "log_interaction", json.dumps({"customer": "Acme Corp", "body": body}), db=db))
    )
    note_id = note["interaction"]["id"]
    result = subprocess.run(
        [*command(), "chat"],
        input=f"/show {note_id}\nshow 99999\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("CRM_")},
            "CRM_DB": str(db),
            "CRM_USER": "sam",
            "CRM_NOW": NOW,
            "PYTHONPATH": str(REPO),
        },
    )
    assert result.returncode == 0, result.stderr
    assert body in result.stdout and "Acme Corp" in result.stdout
    assert "There is no note number 99999." in result.stdout


def test_import_says_which_columns_it_left_out(tmp_path: Path, new_db: NewDb) -> None:
    csv = tmp_path / "shops.csv"
    csv.write_text("name,region\nOrchid Florals,North\n", encoding="utf-8")
    result = crm80("import", str(csv), db=new_db())
    assert "Imported 1 new" in ok(result)
    assert "'region'" in result.stderr and "not imported" in result.stderr


def test_bash_completion_for_commands_and_options() -> None:
    script = ok(run_crm("completion", "bash", real=True))
    probe = (
        script + '\nCOMP_WORDS=(crm fi); COMP_CWORD=1; _crm; echo "${COMPREPLY[@]}"'
        '\nCOMP_WORDS=(crm find --st); COMP_CWORD=2; _crm; echo "${COMPREPLY[@]}"\n'
    )
    shown = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
    assert shown.stdout.splitlines() == ["find", "--stage"], shown.stderr


def test_undo_in_crm_chat_asks_before_removing_the_demo(new_db: NewDb) -> None:
    db = new_db("demo.db", template="demo")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CRM_")},
        "CRM_DB": str(db),
        "CRM_USER": "sam",
        "CRM_NOW": NOW,
        "PYTHONPATH": str(REPO),
    }

    def chat(lines: str) -> list[str]:
        result = subprocess.run(
            [*command(), "chat", "--json"],
            input=lines,
            env=env,
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return [json.loads(line)["reply"] for line in result.stdout.splitlines()]

    asked, kept = chat("undo\nno\n")
    assert asked == (
        "Undo “import demo data”? It removes 20 customers, 20 contacts, 52 notes and 17 follow-ups. "
        "(yes / no)"
    )
    assert kept == "Kept — nothing was undone." and rows(db)["customer"] == 20
    _, done = chat("undo\nyes\n")
    assert done.startswith("Undone: import demo data.") and rows(db)["customer"] == 0
