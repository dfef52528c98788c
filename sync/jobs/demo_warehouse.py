"""`engage demo`: the main job end to end on the bundled sample data.

Builds the warehouse from `sample_data/raw` (with the sample's fixed `as_of` date so the
demo is reproducible) and prints what was read, rejected and resolved, then the segment
catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sync.warehouse.dbt_runner import DbtOutcome, NodeListener, run_dbt, vars_args
from sync.warehouse.project import PROJECT_DIR, SAMPLE_RAW_DIR, Settings
from sync.warehouse.report import SegmentRow, WarehouseSummary, segment_catalogue, warehouse_summary

SAMPLE_AS_OF_FILE = PROJECT_DIR / "sample_data" / "AS_OF"


def sample_as_of() -> str | None:
    """The anchor date the sample data was generated around (None if absent)."""
    if SAMPLE_AS_OF_FILE.exists():
        return SAMPLE_AS_OF_FILE.read_text().strip() or None
    return None


@dataclass
class DemoResult:
    build: DbtOutcome
    warehouse: WarehouseSummary | None
    segments: list[SegmentRow] | None


def run_demo(db_path: Path | None = None, on_node: NodeListener | None = None) -> DemoResult:
    settings = Settings.from_env(raw_dir=SAMPLE_RAW_DIR, duckdb_path=db_path)
    extra = vars_args(as_of=sample_as_of())
    outcome = run_dbt("build", settings, extra, on_node=on_node)
    if not outcome.success and not settings.duckdb_path.exists():
        return DemoResult(outcome, None, None)
    summary = warehouse_summary(settings.duckdb_path)
    return DemoResult(outcome, summary, segment_catalogue(settings.duckdb_path))
