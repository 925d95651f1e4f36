"""A name index saved in a file beside its SQLite database, so that a new process loads it instead of
reading and folding every name again (tools/name_index.py decides what is in it and when it holds).

The file is only ever a cache: whatever cannot be read back exactly as written is ignored, and then
the caller reads the names from the database as before.

- Layout: MAGIC, then the lengths of a *kind* and of a *payload* and the payload's CRC-32
  (struct `_HEADER`), then the kind and the payload, both `marshal` data of plain containers (str,
  int, bytes, list, dict, set, tuple; arrays as their bytes). `marshal` never runs code on loading
  (unlike pickle), and a payload is loaded only when its length and checksum match, so a torn or
  damaged file is told apart before anything is made from it (a checksum against accidents: whoever
  can write this file can write the database beside it).
- The *kind* (what wrote the file: the index's layout, the code that folds names, the Python build)
  must equal the reader's byte for byte, or the payload is not even looked at: another format, code
  that folds names differently, or another interpreter's marshal or byte order means a new build.
- Written to a temporary file in the same folder and renamed over the old one, so a reader sees the
  old file or the new one, never half of one. Nothing is synced to disk: a file lost or torn by a
  crash fails its checksum. A folder that cannot be written (read-only, full) just leaves no file.
- Where (`path_for`): beside a SQLite file; for a PostgreSQL database, in the user's own cache folder
  (`$CRM_NAME_INDEX_DIR`, else `$XDG_CACHE_HOME/crm-assistant/name-index`, else
  `~/.cache/crm-assistant/name-index`; made 0700 on the first save, and not used when it is not the
  user's alone), one file per database URL (its digest, the password left out); a file no process
  has read or written for 30 days is removed by the next save there. `CRM_NAME_INDEX_DIR=off` keeps
  none. An in-memory database has none. Which database's history a file holds is never taken from its
  name: the reader checks it against the database's (tools/name_index.py), so a database dropped and
  made anew at the same URL is never answered from its predecessor's file.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import marshal
import os
import stat
import struct
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

from sqlmodel import Session

MAGIC = b"crm name index\x00"
_HEADER = struct.Struct("<QQI")  # len(kind), len(payload), crc32(payload)
SUFFIX = ".name-index"


def path_for(session: Session) -> Path | None:
    """Where the snapshot of this session's database goes: beside a SQLite file, in the user's cache
    folder for PostgreSQL, else nowhere."""
    url = session.get_bind().engine.url
    if url.get_backend_name() == "postgresql":
        folder = cache_folder()
        if folder is None:
            return None
        key = hashlib.blake2b(url.render_as_string(hide_password=True).encode(), digest_size=16)
        return folder / f"{key.hexdigest()}{SUFFIX}"
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    database = str(url.database)
    if database.startswith("file:"):  # a URI filename: mode=memory and the like; not worth parsing
        return None
    return Path(database + SUFFIX)


def cache_folder() -> Path | None:
    """The folder for the snapshots of server databases; None when switched off (CRM_NAME_INDEX_DIR=off),
    when there is no home to put it in, or when it is not this user's alone (another user could
    replace or remove what is in it). Made, 0700, only when a snapshot is first written."""
    chosen = os.environ.get("CRM_NAME_INDEX_DIR")
    if chosen is not None and chosen.strip().lower() in ("", "off", "no", "none", "0"):
        return None
    try:
        if chosen:
            folder = Path(chosen).expanduser()
        else:
            base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
            folder = Path(base) / "crm-assistant" / "name-index"
        info = folder.stat()
    except FileNotFoundError:
        return folder  # made by `write`
    except (OSError, RuntimeError):  # no home directory (a container's bare uid), an unreadable path
        return None
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return folder if stat.S_ISDIR(info.st_mode) and mine and not info.st_mode & 0o077 else None


KEEP_UNUSED = 30 * 24 * 3600.0  # seconds: a server database's snapshot not read or written this long goes


def _prune(folder: Path, now: float) -> None:
    """Remove the snapshots in the cache folder no process has read or written for KEEP_UNUSED (a
    database gone, renamed or reached by another URL since): each holds every name it had."""
    with contextlib.suppress(OSError):
        for old in folder.glob("*" + SUFFIX):
            with contextlib.suppress(OSError):
                info = old.stat()
                if now - max(info.st_mtime, info.st_atime) > KEEP_UNUSED:
                    old.unlink()


def read(path: Path, kind: Any) -> Any | None:
    """The payload saved at `path` by a writer of the same `kind`; None when there is none that can
    be trusted to be one (missing, unreadable, another kind, torn, damaged)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    want = marshal.dumps(kind, 4)
    start = len(MAGIC) + _HEADER.size
    if len(raw) < start or not raw.startswith(MAGIC):
        return None
    kind_len, payload_len, digest = _HEADER.unpack_from(raw, len(MAGIC))
    if kind_len != len(want) or len(raw) != start + kind_len + payload_len:
        return None
    if raw[start : start + kind_len] != want:
        return None
    payload = memoryview(raw)[start + kind_len :]
    if zlib.crc32(payload) != digest:
        return None
    try:
        data = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if path.parent == cache_folder():  # in use: kept by the pruning of the cache folder (`_prune`)
        with contextlib.suppress(OSError):
            os.utime(path)
    return data


def write(path: Path, kind: Any, payload: Any) -> bool:
    """Save `payload` (plain containers only) for readers of `kind`; False when it could not be."""
    try:
        data = marshal.dumps(payload, 4)
        head = marshal.dumps(kind, 4)
    except ValueError:  # something marshal cannot write: no file rather than a wrong one
        return False
    digest = zlib.crc32(data)
    tmp: str | None = None
    try:
        if path.parent == cache_folder():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _prune(path.parent, time.time())
        _forget_stale(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + _HEADER.pack(len(head), len(data), digest))
            out.write(head)
            out.write(data)
        os.replace(tmp, path)
        tmp = None
        return True
    except OSError:
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


STALE_AFTER = 600.0  # seconds: a temporary file this old was left by a process that ended mid-write


def _forget_stale(path: Path) -> None:
    """Remove what writers that ended mid-write (killed, power lost) left beside `path`."""
    now = time.time()
    with contextlib.suppress(OSError):
        for left in path.parent.glob(glob.escape(path.name) + ".*.tmp"):
            with contextlib.suppress(OSError):
                if now - left.stat().st_mtime > STALE_AFTER:
                    left.unlink()
