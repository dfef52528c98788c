"""The raw folder -> the list of files to ingest, each with its kind or why it is not read.

Layout: `<raw_dir>/<kind>/[sub/folders/]<file>`. The kind is the top-level folder; nested
folders are allowed and kept in `file_path` (always `/`-separated, relative to the raw folder).
Skipped silently: hidden files and folders (`.x`), folders starting with `_`, Office lock files
(`~$x`) and OS litter (Thumbs.db, desktop.ini). Listed with a reason and never opened
(`RawFileEntry.skip_reason`): anything that is not a regular file (a named pipe would block the
reader forever; sockets, devices), files with an unsupported extension, and files directly in
the raw folder (no kind). Everything else is read by `sync.ingest.parse`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from sync.ingest.errors import IngestError
from sync.ingest.readers import SUPPORTED_EXTENSIONS

_SKIPPED_NAMES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})


@dataclass(frozen=True)
class RawFileEntry:
    """One file found under the raw folder, and why it will not be read (if it will not)."""

    path: Path
    file_path: str  # relative, `/`-separated
    kind: str | None  # None for a file directly in the raw folder
    size: int
    mtime_ns: int
    skip_reason: str | None = None


_NOT_IN_KIND_FOLDER = (
    "file is directly in the raw folder; move it into a kind sub-folder (e.g. contacts/) "
    "so engage knows what it holds"
)
_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _unsupported(suffix: str) -> str:
    supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
    return (
        f"unsupported file type {suffix or '(no extension)'!r}; save it as .csv or .xlsx "
        f"(supported: {supported})"
    )


def _skip_reason(path: Path, mode: int, kind: str | None) -> str | None:
    if not stat.S_ISREG(mode):
        what = next((label for test, label in _SPECIAL_FILES if test(mode)), "not a regular file")
        return (
            f"not a regular file ({what}); it was not opened. Replace it with a saved CSV or "
            "XLSX file"
        )
    if kind is None:
        return _NOT_IN_KIND_FOLDER
    if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
        return _unsupported(path.suffix)
    return None


def _is_skipped(name: str) -> bool:
    return name.startswith((".", "~$")) or name.lower() in _SKIPPED_NAMES


def check_raw_dir(raw_dir: Path) -> Path:
    """The raw folder, resolved; IngestError naming the path and how to set it if missing."""
    resolved = raw_dir.expanduser().resolve()
    if not resolved.is_dir():
        what = "is not a folder" if resolved.exists() else "does not exist"
        raise IngestError(
            f"raw folder {resolved} {what}. Point engage at your spreadsheets with "
            "ENGAGE_RAW_DIR=/path/to/raw (or `engage build --raw-dir PATH`, or the dbt var: "
            "--vars '{raw_dir: /path/to/raw}'); it holds one sub-folder per kind, e.g. contacts/."
        )
    return resolved


def list_raw_files(raw_dir: Path) -> list[RawFileEntry]:
    """Every candidate file under the raw folder, sorted by path (see module docstring)."""
    root = check_raw_dir(raw_dir)
    found: list[RawFileEntry] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        rel_dir = Path(dirpath).relative_to(root)
        kind = rel_dir.parts[0] if rel_dir.parts else None
        for name in filenames:
            if _is_skipped(name):
                continue
            path = Path(dirpath) / name
            try:
                st = path.stat()  # follows a link to the file it names; never opens it
            except OSError:  # a dangling link or a file removed while we walk
                continue
            rel = (rel_dir / name).as_posix()
            reason = _skip_reason(path, st.st_mode, kind)
            found.append(RawFileEntry(path, rel, kind, st.st_size, st.st_mtime_ns, reason))
    found.sort(key=lambda e: e.file_path)
    return found
