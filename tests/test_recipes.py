"""The scheduling recipes in deploy/ work as written, and the README and docs/sync.md show them.

One env-file convention everywhere (/etc/engage/engage.env, read by cron and systemd alike);
the cron line parses and, run with a stand-in `engage`, loads the env file and keeps stdout
(JSON Lines) apart from stderr; the systemd units have a user, a failure hook and a timer, and
pass `systemd-analyze verify` where it is installed.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
ENV_FILE = "/etc/engage/engage.env"
CRON = DEPLOY / "cron" / "engage-nightly"
UNITS = DEPLOY / "systemd"
DOCS = {name: (ROOT / name).read_text() for name in ("README.md", "docs/sync.md")}


def cron_line() -> tuple[list[str], str]:
    """(schedule + user fields, command) of the cron.d file's one job."""
    [line] = [
        ln
        for ln in CRON.read_text().splitlines()
        if ln and not ln.startswith("#") and "=" not in ln.split()[0]
    ]
    fields = line.split(None, 6)
    return fields[:6], fields[6]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(UNITS / name)
    return parser


def test_the_env_file_reads_the_same_in_sh_and_systemd():
    text = (DEPLOY / "engage.env.example").read_text()
    assignments = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    for ln in assignments:  # systemd's EnvironmentFile= and sh agree on plain KEY=value
        assert re.fullmatch(r"[A-Z_]+=[^\s'\"]*", ln), ln
    names = {ln.split("=", 1)[0] for ln in assignments}
    assert {"MAILCHIMP_API_KEY", "ENGAGE_RAW_DIR", "ENGAGE_ALERT_URLS"} <= names
    out = subprocess.run(
        ["sh", "-c", f"set -a && . {DEPLOY / 'engage.env.example'} && env"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
    ).stdout
    assert "ENGAGE_RAW_DIR=/srv/engage-data/raw" in out.splitlines()


def test_the_cron_line_parses_and_keeps_the_key_out_of_the_crontab():
    fields, command = cron_line()
    assert fields == ["30", "2", "*", "*", "*", "engage"]  # cron.d: the user is named
    assert "%" not in command  # cron would cut the line there
    subprocess.run(["sh", "-n", "-c", command], check=True)
    assert f". {ENV_FILE}" in command and "MAILCHIMP_API_KEY" not in command
    assert "nightly --json >> /var/log/engage/nightly.jsonl" in command
    assert "2>> /var/log/engage/nightly.log" in command  # stderr is kept, apart


def test_the_cron_command_loads_the_env_file_and_separates_json_from_logs(tmp_path):
    """Run as written, with the paths moved into tmp and a stand-in `engage`."""
    app = tmp_path / "srv" / "engage"
    (app / ".venv" / "bin").mkdir(parents=True)
    stub = app / ".venv" / "bin" / "engage"
    stub.write_text(
        "#!/bin/sh\n"
        'echo \'{"command":"nightly","raw":"\'"$ENGAGE_RAW_DIR"\'"}\'\n'
        "echo progress >&2\n"
    )
    stub.chmod(0o755)
    env_file = tmp_path / "engage.env"
    shutil.copy(DEPLOY / "engage.env.example", env_file)
    logs = tmp_path / "log"
    logs.mkdir()
    _, command = cron_line()
    command = (
        command.replace("/srv/engage", str(app))
        .replace(ENV_FILE, str(env_file))
        .replace("/var/log/engage", str(logs))
    )
    for _ in range(2):  # two nights: two lines
        subprocess.run(["sh", "-c", command], check=True, env={"PATH": os.environ["PATH"]})
    lines = (logs / "nightly.jsonl").read_text().splitlines()
    assert lines == ['{"command":"nightly","raw":"/srv/engage-data/raw"}'] * 2
    assert (logs / "nightly.log").read_text() == "progress\n" * 2


def test_the_service_runs_as_its_user_reads_the_env_file_and_has_a_failure_hook():
    service = unit("engage-nightly.service")
    assert service["Service"]["User"] == "engage" and service["Service"]["Type"] == "oneshot"
    assert service["Service"]["EnvironmentFile"] == ENV_FILE
    assert service["Service"]["ExecStart"].endswith("/.venv/bin/engage nightly --json")
    assert service["Service"]["SuccessExitStatus"].split() == ["5", "6"]  # warnings, locked
    hook = service["Unit"]["OnFailure"]
    assert (UNITS / hook).exists()
    failed = unit(hook)
    assert failed["Service"]["User"] == "engage"
    assert failed["Service"]["EnvironmentFile"] == ENV_FILE
    assert "$ENGAGE_ALERT_URLS" in failed["Service"]["ExecStart"]
    timer = unit("engage-nightly.timer")
    assert timer["Timer"]["Unit"] == "engage-nightly.service"
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:30:00"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verifies_the_units(tmp_path):
    """With the paths pointed at this checkout (whose .venv has engage and apprise)."""
    for path in UNITS.iterdir():
        (tmp_path / path.name).write_text(path.read_text().replace("/srv/engage", str(ROOT)))
    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_the_docs_show_the_recipes_as_shipped(doc):
    text = DOCS[doc]
    _, command = cron_line()
    assert command in text, f"{doc} shows another cron line than deploy/cron/engage-nightly"
    assert ENV_FILE in text
    assert "/etc/engage/env\n" not in text and "mailchimp.env" not in text
    for line in text.splitlines():  # never the key in a crontab
        if re.match(r"^\d+ \d+ \* \* \* ", line):
            assert "MAILCHIMP_API_KEY" not in line


def test_the_sync_guide_shows_the_unit_files_as_shipped():
    for path in sorted(UNITS.iterdir()):
        assert path.read_text().strip() in DOCS["docs/sync.md"], path.name
