"""`engage plan | sync | pull | nightly` from the command line: help, JSON, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, ClassVar

import pytest
from synctest_helpers import audience, default_meta, supporter
from typer.testing import CliRunner

from sync.cli.app import app
from sync.cli.exits import EXIT_CONFIG, EXIT_LOCKED, EXIT_OK, EXIT_REFUSED
from sync.jobs.audience_sync import client_for
from sync.mailchimp.client import MailchimpClient, Target

runner = CliRunner()
# No campaigns are sent in these tests: reading activity back would warn that it is stale.
NO_ACTIVITY = {"enabled": False}


class RecordingClient(MailchimpClient):
    """A MailchimpClient that notes the connection cap of every client built."""

    caps: ClassVar[list[int]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        RecordingClient.caps.append(self.concurrency)


@pytest.fixture
def cli_env(env, monkeypatch):
    monkeypatch.setenv("MAILCHIMP_API_KEY", env.sandbox.api_key)
    monkeypatch.setenv("ENGAGE_MAILCHIMP_URL", env.sandbox.url)
    monkeypatch.setenv("ENGAGE_RETRY_WAIT", "0.001")
    monkeypatch.setenv("ENGAGE_RETRY_WAIT_MAX", "0.01")
    env.declare(activity=NO_ACTIVITY)
    env.warehouse([supporter(1), supporter(2)], [("s0001", "a", "seg:a")])
    return env


def run(env, *args):
    return runner.invoke(app, [*args, "--db", str(env.db), "--manifest", str(env.manifest)])


@pytest.mark.parametrize("command", ["plan", "sync", "pull", "nightly"])
def test_every_command_explains_itself(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "--json" in result.output and "--audience" in result.output


def test_without_a_key_commands_explain_how_to_start_the_sandbox(env, monkeypatch):
    for var in ("MAILCHIMP_API_KEY", "ENGAGE_MAILCHIMP_URL", "MAILCHIMP_SERVER"):
        monkeypatch.delenv(var, raising=False)
    for command in ("sync", "pull"):
        result = run(env, command)
        assert result.exit_code == EXIT_CONFIG
        assert "engage sandbox" in result.output and "MAILCHIMP_API_KEY" in result.output


def test_plan_then_sync_then_nothing_left_with_json_summaries(cli_env):
    env = cli_env
    result = run(env, "plan", "--json", "--show", "2")
    assert result.exit_code == EXIT_OK, result.output
    payload = json.loads(result.stdout)
    [aud] = payload["audiences"]
    assert aud["status"] == "planned" and aud["plan"]["counts"]["creates"] == 2
    assert aud["samples"]["create"][0]["subscriber_hash"]
    assert "@" not in result.stdout  # summaries carry hashes, never emails
    assert env.sandbox.request_log().count("POST") == 0  # plan never writes

    result = run(env, "sync", "--json")
    assert result.exit_code == EXIT_OK, result.output
    done = json.loads(result.stdout)["audiences"][0]["applied"]["done"]
    assert done == {"created": 2, "tags_added": 1}
    assert env.sandbox.api_key not in result.output

    result = run(env, "plan", "--json")
    assert json.loads(result.stdout)["audiences"][0]["status"] == "empty"

    result = run(env, "pull", "--json")
    assert result.exit_code == EXIT_OK, result.output
    assert json.loads(result.stdout)["audiences"][0]["members_read"] == 2


def test_refused_plan_exits_3_and_force_needs_a_reason(cli_env):
    env = cli_env
    env.declare(safety={"max_tag_removals": 0, "max_tag_removals_pct": 0})
    assert run(env, "sync").exit_code == EXIT_OK
    env.warehouse([supporter(1), supporter(2)], [])
    result = run(env, "sync")
    assert result.exit_code == EXIT_REFUSED
    assert "refused" in result.output and "max_tag_removals" not in result.stdout
    assert run(env, "sync", "--force", " ").exit_code == EXIT_CONFIG
    assert run(env, "sync", "--force", "segment retired").exit_code == EXIT_OK


def test_a_second_writer_is_refused_while_another_run_holds_the_lock(cli_env):
    env = cli_env
    code = (
        "import sys, time; from pathlib import Path; from sync.jobs.lock import locked\n"
        "with locked(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(30)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(env.db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = run(env, "sync", "--json")
        assert result.exit_code == EXIT_LOCKED
        assert json.loads(result.stdout)["status"] == "locked"
        assert "another engage run holds" in result.output
        assert env.sandbox.request_log().count("POST") == 0
    finally:
        holder.kill()
        holder.wait()
    assert run(env, "sync").exit_code == EXIT_OK


def test_a_rejected_api_key_or_unknown_audience_id_is_a_configuration_error(cli_env, monkeypatch):
    env = cli_env
    monkeypatch.setenv("MAILCHIMP_API_KEY", "0" * 32 + "-us1")
    for command in ("plan", "sync", "pull"):
        result = run(env, command, "--json")
        assert result.exit_code == EXIT_CONFIG, (command, result.output)
        assert "MAILCHIMP_API_KEY" in result.output and "0" * 32 not in result.output
    monkeypatch.setenv("MAILCHIMP_API_KEY", env.sandbox.api_key)
    env.declare(audience={"name": "Supporters", "id": "nosuchlist"})
    result = run(env, "pull", "--json")
    assert result.exit_code == EXIT_CONFIG, result.output
    assert "'nosuchlist' does not exist" in result.output


def test_commands_connect_with_the_concurrency_the_audience_declares(cli_env, monkeypatch):
    env = cli_env
    monkeypatch.setattr("sync.jobs.audience_sync.MailchimpClient", RecordingClient)
    for concurrency in (10, 3):  # above and below the client's default of 8
        env.declare(concurrency=concurrency, activity=NO_ACTIVITY)
        for command in ("plan", "sync", "pull", "nightly"):
            RecordingClient.caps.clear()
            args = ["--skip-build"] if command == "nightly" else []
            result = run(env, command, "--json", *args)
            assert result.exit_code == EXIT_OK, (command, result.output)
            # nightly: one client for the pull, one for the apply (declarations may change
            # in the build between them)
            expected = [concurrency] * (2 if command == "nightly" else 1)
            assert RecordingClient.caps == expected, (command, concurrency)


def test_a_client_for_several_audiences_lets_each_keep_its_own_cap():
    target = Target(base_url="http://127.0.0.1:9", api_key="k", overridden=True)
    slow, fast = audience(default_meta(concurrency=2)), audience(default_meta(concurrency=10))
    client = client_for([slow, fast], target)
    try:
        assert client.concurrency == 10  # the Applier keeps the slow one to 2
    finally:
        client.close()
    assert client_for([], target).concurrency == 8
