"""Where things live: the dbt project, its profile, the warehouse file and the raw folder.

Every path is resolved here, once, so commands and tests agree on them. Environment variables
override the defaults (`ENGAGE_RAW_DIR`, `ENGAGE_DUCKDB_PATH`, `ENGAGE_TARGET`).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
PROFILES_DIR = PROJECT_DIR / "profiles"
SAMPLE_RAW_DIR = PROJECT_DIR / "sample_data" / "raw"
# What the dbt project is made of: a copy of these builds as the repository does (the rest of
# the repository - the venv, target/, the Python - does not change a build).
PROJECT_PARTS = ("dbt_project.yml", "models", "seeds", "macros", "snapshots", "tests/dbt")


def copy_project(dest: Path) -> Path:
    """Copy the dbt project (PROJECT_PARTS) to `dest`, for a build that may change its files
    (tests that add a model, scripts/compare_builds.py); returns `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = PROJECT_DIR / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / part)
    return dest


@dataclass(frozen=True)
class Settings:
    """Resolved locations for one invocation."""

    raw_dir: Path
    duckdb_path: Path
    target: str
    project_dir: Path = PROJECT_DIR
    # Named by the caller (--raw-dir, the dbt var raw_dir) or ENGAGE_RAW_DIR, not the default
    # bundled sample folder: `sync.jobs.guards` refuses to sync the sample to a real audience.
    raw_dir_explicit: bool = False

    @classmethod
    def from_env(
        cls,
        raw_dir: Path | None = None,
        duckdb_path: Path | None = None,
        target: str | None = None,
        project_dir: Path | None = None,
    ) -> Settings:
        raw = raw_dir or Path(os.environ.get("ENGAGE_RAW_DIR") or SAMPLE_RAW_DIR)
        db = duckdb_path or Path(
            os.environ.get("ENGAGE_DUCKDB_PATH") or PROJECT_DIR / "target" / "engage.duckdb"
        )
        return cls(
            raw_dir=raw.expanduser().resolve(),
            duckdb_path=db.expanduser().resolve(),
            target=target or os.environ.get("ENGAGE_TARGET", "dev"),
            project_dir=(project_dir or PROJECT_DIR).resolve(),
            raw_dir_explicit=raw_dir is not None or bool(os.environ.get("ENGAGE_RAW_DIR")),
        )

    @property
    def ingest_dir(self) -> Path:
        """The ingest folder: `ENGAGE_INGEST_DIR`, else `<duckdb file>.ingest` (also on other
        targets, where it is the local cache the raw tables are loaded from)."""
        env = os.environ.get("ENGAGE_INGEST_DIR")
        return Path(env).expanduser().resolve() if env else Path(f"{self.duckdb_path}.ingest")

    def apply_to_env(self) -> None:
        """Export the settings so dbt's profile and source YAML (env_var) see them."""
        os.environ["ENGAGE_RAW_DIR"] = str(self.raw_dir)
        os.environ["ENGAGE_DUCKDB_PATH"] = str(self.duckdb_path)
        os.environ["ENGAGE_TARGET"] = self.target
        self.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
