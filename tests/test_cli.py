"""The engage command line: argument handling that users meet before dbt runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from sync.cli.app import app
from sync.cli.exits import EXIT_CONFIG, EXIT_DBT_FAILED
from sync.warehouse.dbt_runner import DbtOutcome, vars_args

runner = CliRunner()


def test_vars_merge_user_mapping_with_as_of() -> None:
    args = vars_args("{raw_dir: /data, as_of: 2020-01-01}", as_of="2026-11-20")
    assert args[0] == "--vars"
    assert json.loads(args[1]) == {"raw_dir": "/data", "as_of": "2026-11-20"}


def test_no_vars_means_no_flag() -> None:
    assert vars_args(None) == []


@pytest.mark.parametrize(
    ("raw", "as_of", "message"),
    [("[1, 2]", None, "must be a mapping"), (None, "20/11/2026", "must be a date")],
)
def test_bad_vars_are_explained(raw: str | None, as_of: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        vars_args(raw, as_of=as_of)


def test_build_with_bad_date_is_a_configuration_error() -> None:
    result = runner.invoke(app, ["build", "--as-of", "tomorrow"])
    assert result.exit_code == EXIT_CONFIG
    assert "must be a date" in result.output


def test_every_command_explains_itself() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "demo"):
        sub = runner.invoke(app, [command, "--help"])
        assert sub.exit_code == 0, command
        assert "Usage" in sub.output


def test_build_with_a_missing_raw_folder_says_how_to_point_at_one(tmp_path) -> None:
    missing = tmp_path / "no-such-folder"
    result = runner.invoke(
        app, ["build", "--raw-dir", str(missing), "--db", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == EXIT_CONFIG
    # The console wraps long lines at the terminal width; compare words, not layout.
    assert "does not exist" in " ".join(result.output.split())
    assert "ENGAGE_RAW_DIR" in result.output
    assert not (tmp_path / "w.duckdb").exists()  # nothing was built


def test_build_passes_selection_and_further_dbt_flags_through(monkeypatch, tmp_path) -> None:
    calls: list[tuple[str, list[str]]] = []

    def fake_run_dbt(command, settings, extra, on_node=None):
        calls.append((command, list(extra)))
        return DbtOutcome(success=True)

    monkeypatch.setattr("sync.cli.warehouse.run_dbt", fake_run_dbt)
    result = runner.invoke(
        app,
        [
            "build",
            "-s",
            "staging+",
            "--select",
            "supporters",
            "--exclude",
            "seg_new_30d",
            "--full-refresh",
            "--db",
            str(tmp_path / "w.duckdb"),
            "--fail-fast",
        ],
    )
    assert result.exit_code == 0, result.output
    [(command, extra)] = calls
    assert command == "build"
    assert extra[:7] == [
        "--select",
        "staging+",
        "--select",
        "supporters",
        "--exclude",
        "seg_new_30d",
        "--full-refresh",
    ]
    assert extra[-1] == "--fail-fast"  # unknown flags go to dbt untouched


def test_a_failed_dbt_build_exits_with_the_dbt_failure_code(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(
        "sync.cli.warehouse.run_dbt", lambda *a, **k: DbtOutcome(success=False, error="boom")
    )
    result = runner.invoke(app, ["build", "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == EXIT_DBT_FAILED


@pytest.mark.parametrize(("flags", "runs_unit_tests"), [([], False), (["--unit-tests"], True)])
def test_build_leaves_unit_tests_to_ci_unless_asked(
    monkeypatch, tmp_path, flags: list[str], runs_unit_tests: bool
) -> None:
    """dbt unit tests check model logic on fixed inputs: a build of the real data skips them
    (data tests still run) unless --unit-tests."""
    calls: list[list[str]] = []

    def fake_run_dbt(command, settings, extra, on_node=None):
        calls.append(list(extra))
        return DbtOutcome(success=True)

    monkeypatch.setattr("sync.cli.warehouse.run_dbt", fake_run_dbt)
    result = runner.invoke(app, ["build", *flags, "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 0, result.output
    [extra] = calls
    excluded = [b for a, b in zip(extra, extra[1:], strict=False) if a == "--exclude-resource-type"]
    assert ("unit_test" in excluded) is not runs_unit_tests
    assert "test" not in excluded  # data tests always run


def test_a_failed_build_with_json_prints_one_line_saying_why(tmp_path) -> None:
    """A real dbt failure (a model whose inputs were never built): dbt's coloured log goes to
    stderr, stdout is one JSON object on one line, and `error` names what failed."""
    result = subprocess.run(
        [sys.executable, "-c", "from sync.cli.app import app; app()", "build", "--json"]
        + ["-s", "supporters", "--db", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == EXIT_DBT_FAILED, result.stderr
    [line] = result.stdout.splitlines()
    payload = json.loads(line)
    assert payload["status"] == "build" and payload["success"] is False
    assert "supporters" in payload["error"] and "does not exist" in payload["error"]
    assert "ERROR creating sql table model main.supporters" in result.stderr


def test_backfill_explains_bad_input_and_a_missing_manifest(tmp_path, monkeypatch) -> None:
    result = runner.invoke(app, ["backfill", "--as-of", "20-11-2026", "--json"])
    assert result.exit_code == EXIT_CONFIG
    assert "--as-of must be a date" in json.loads(result.stdout.splitlines()[0])["error"]
    result = runner.invoke(app, ["backfill", "--every", "0", "--json"])
    assert result.exit_code == EXIT_CONFIG and "--every" in result.stdout
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "nowhere"))
    result = runner.invoke(app, ["backfill", "--db", str(tmp_path / "w.duckdb"), "--json"])
    assert result.exit_code == EXIT_CONFIG and "run `engage build` first" in result.stdout
