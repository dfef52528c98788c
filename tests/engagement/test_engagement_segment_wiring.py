"""Every segment model is wired into the segment union by a generated ref() line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

from sync.warehouse.project import PROJECT_DIR
from sync.warehouse.segment_wiring import (
    UNION_MODEL,
    render_block,
    segment_models,
    wire_segments,
    wired_models,
)


def test_the_repository_union_names_every_segment_model() -> None:
    """`engage build` would change nothing: the committed block is up to date."""
    union = (PROJECT_DIR / UNION_MODEL).read_text()
    assert render_block(PROJECT_DIR) in union
    assert wired_models(union) == segment_models(PROJECT_DIR)
    assert len(wired_models(union)) >= 9


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for part in ("dbt_project.yml", "models"):
        src = PROJECT_DIR / part
        if src.is_dir():
            shutil.copytree(src, tmp_path / part)
        else:
            shutil.copy(src, tmp_path / part)
    return tmp_path


def test_a_new_segment_is_wired_and_a_removed_one_unwired(project: Path) -> None:
    (project / "models" / "segments" / "definitions" / "seg_donors_365d.sql").write_text("select 1")
    (project / "models" / "segments" / "definitions" / "seg_lapsed_90d.sql").unlink()
    wiring = wire_segments(project)
    assert wiring.added == ("seg_donors_365d",) and wiring.removed == ("seg_lapsed_90d",)
    text = (project / UNION_MODEL).read_text()
    assert "-- depends_on: {{ ref('seg_donors_365d') }}" in text
    assert "seg_lapsed_90d" not in text
    assert wire_segments(project).changed is False  # idempotent
    # the rest of the model is untouched
    original = (PROJECT_DIR / UNION_MODEL).read_text()
    assert text.split("-- engage:segments:end")[1] == original.split("-- engage:segments:end")[1]


def test_a_segment_switched_off_by_a_var_is_wired_under_that_var(project: Path) -> None:
    """dbt refuses a ref() to a disabled model, so seg_issue_top's line sits under its var."""
    text = (project / UNION_MODEL).read_text()
    assert (
        "{% if var('issue_tags_enabled', true) %}-- depends_on: {{ ref('seg_issue_top') }}" in text
    )


def test_a_union_without_its_block_is_named(project: Path) -> None:
    (project / UNION_MODEL).write_text("select 1")
    with pytest.raises(
        ValueError, match="int_segment_candidates__unioned.sql: no '-- engage:segments:begin'"
    ):
        wire_segments(project)


def test_a_project_that_cannot_be_written_fails_with_the_fix_and_keeps_the_union(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only checkout (tests run as root, so permissions cannot stand in): the rename
    fails, the union is untouched, no temporary file is left, and the error says what to do."""
    from sync.errors import BuildError
    from sync.warehouse import segment_wiring

    (project / "models" / "segments" / "definitions" / "seg_donors_365d.sql").write_text("select 1")
    before = (project / UNION_MODEL).read_text()

    def read_only(src: object, dst: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(segment_wiring.os, "replace", read_only)
    with pytest.raises(BuildError, match="cannot write the generated segment list"):
        wire_segments(project)
    assert (project / UNION_MODEL).read_text() == before
    assert not list((project / UNION_MODEL).parent.glob(".*.tmp"))


def test_the_rewritten_union_passes_sqlfluff(project: Path) -> None:
    """`make lint` checks the union as `engage build` leaves it (settings in .sqlfluff)."""
    definitions = project / "models" / "segments" / "definitions"
    (definitions / "seg_signed_three_petitions_and_never_came_to_an_event.sql").write_text(
        "select 1"
    )
    wire_segments(project)
    config = FluffConfig.from_path(str(PROJECT_DIR))
    linted = Linter(config=config).lint_string(
        (project / UNION_MODEL).read_text(), fname=str(PROJECT_DIR / UNION_MODEL)
    )
    assert [violation.get_info_dict() for violation in linted.get_violations()] == []
