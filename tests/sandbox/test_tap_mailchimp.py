"""A third-party reader against the sandbox: the Singer `tap-mailchimp` (singer-io), unmodified.

The tap runs in its own virtual environment, built by this test on first use from
`tap_mailchimp_constraints.txt` (the tap's version is pinned there) and cached outside the
repository under `$XDG_CACHE_HOME/engage/` (default `~/.cache/engage/`), keyed by the pins and
the Python version. Where that environment is missing and cannot be built (no PyPI), the test
is skipped, unless ENGAGE_REQUIRE_TAP_MAILCHIMP=1 (set by .ci/run), where it fails.

The tap has no setting for the API address, so it runs through `tap_mailchimp_loopback.py`,
which points its client at the sandbox on loopback (see that file). The test reads lists,
members and segments, then reads members again incrementally from the tap's own state: a
member changed within the bookmark's second must come back (`since_last_changed` is
inclusive), one older than the bookmark must not.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sandboxtest_helpers import h, http

from mailchimp_sandbox import SandboxServer

HERE = Path(__file__).parent
CONSTRAINTS = HERE / "tap_mailchimp_constraints.txt"
WRAPPER = HERE / "tap_mailchimp_loopback.py"
REQUIRE_VARIABLE = "ENGAGE_REQUIRE_TAP_MAILCHIMP"
STREAMS = ("lists", "list_members", "list_segments", "list_segment_members")
RUN_TIMEOUT = 60  # seconds for one tap run (a run here takes about one second)
INSTALL_TIMEOUT = 300
BOOKMARK_SECOND = "2026-05-04T10:20:30+00:00"
OLDER_SECOND = "2026-05-04T10:20:29+00:00"


def tap_version() -> str:
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("tap-mailchimp=="):
            return line.partition("==")[2].strip()
    raise AssertionError(f"{CONSTRAINTS.name} pins no tap-mailchimp version")


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "engage"


def venv_dir() -> Path:
    """One environment per set of pins and Python version (a changed pin builds a new one)."""
    digest = hashlib.sha256(CONSTRAINTS.read_bytes()).hexdigest()[:12]
    py = f"py{sys.version_info.major}{sys.version_info.minor}"
    return cache_root() / f"tap-mailchimp-{tap_version()}-{py}-{digest}"


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"{reason}; {REQUIRE_VARIABLE}=1 makes this a failure")
    pytest.skip(reason)


def ensure_tap() -> Path:
    """The tap environment's python, building the environment once (under a file lock)."""
    target = venv_dir()
    done = target / ".engage-complete"
    python = target / "bin" / "python"
    if done.exists():
        return python
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run may be building it right now
        if done.exists():
            return python
        shutil.rmtree(target, ignore_errors=True)  # a half-built one from an interrupted run
        steps = [
            [sys.executable, "-m", "venv", str(target)],
            [
                str(python),
                *("-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
                *("--retries", "1", "--timeout", "30"),  # no PyPI: give up soon, then skip
                *("-c", str(CONSTRAINTS), f"tap-mailchimp=={tap_version()}"),
            ],
        ]
        for step in steps:
            try:
                run = subprocess.run(
                    step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
                )
            except subprocess.TimeoutExpired:
                shutil.rmtree(target, ignore_errors=True)
                _unavailable(f"installing tap-mailchimp timed out after {INSTALL_TIMEOUT} s")
            if run.returncode != 0:
                shutil.rmtree(target, ignore_errors=True)
                tail = (run.stderr or run.stdout).strip().splitlines()[-3:]
                _unavailable(f"cannot install tap-mailchimp into {target}: {' | '.join(tail)}")
        done.write_text(CONSTRAINTS.read_text(encoding="utf-8"), encoding="utf-8")
    return python


@pytest.fixture(scope="module")
def tap_python() -> Path:
    return ensure_tap()


class Tap:
    """Runs the tap's CLI against one sandbox, in a working folder of its own."""

    def __init__(self, python: Path, sandbox: SandboxServer, workdir: Path) -> None:
        self.python = python
        self.workdir = workdir
        self.env = {
            **os.environ,
            "ENGAGE_TAP_MAILCHIMP_BASE_URL": sandbox.url,
            "NO_PROXY": "127.0.0.1,localhost",  # the tap's requests go to loopback only
        }
        self.config = self._write(
            "config.json",
            {
                "api_key": sandbox.api_key,
                "dc": "us1",  # required by the tap's client; the wrapper overrides the address
                "start_date": "2020-01-01T00:00:00Z",
                "page_size": "100",
                "request_timeout": 20,
            },
        )

    def _write(self, name: str, doc: Any) -> Path:
        path = self.workdir / name
        path.write_text(json.dumps(doc), encoding="utf-8")
        return path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        run = subprocess.run(
            [str(self.python), str(WRAPPER), "--config", str(self.config), *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.workdir,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        assert run.returncode == 0, f"tap-mailchimp failed:\n{run.stderr[-4000:]}"
        return run

    def discover(self, selected: tuple[str, ...]) -> Path:
        """The tap's own catalogue, with `selected` streams and all their fields chosen."""
        catalog = json.loads(self.run("--discover").stdout)
        for stream in catalog["streams"]:
            if stream["tap_stream_id"] not in selected:
                continue
            root = [m for m in stream["metadata"] if m["breadcrumb"] == []]
            if not root:
                stream["metadata"].append(root_entry := {"breadcrumb": [], "metadata": {}})
                root = [root_entry]
            root[0]["metadata"]["selected"] = True
            for entry in stream["metadata"]:
                if entry["breadcrumb"]:
                    entry["metadata"]["selected"] = True
        return self._write("catalog.json", catalog)

    def sync(self, catalog: Path, state: dict[str, Any] | None = None) -> SyncOutput:
        args = ["--catalog", str(catalog)]
        if state is not None:
            args += ["--state", str(self._write("state.json", state))]
        return SyncOutput(self.run(*args).stdout)


class SyncOutput:
    """The Singer messages of one run: records by stream and the last state."""

    def __init__(self, stdout: str) -> None:
        self.records: dict[str, list[dict[str, Any]]] = {}
        self.state: dict[str, Any] = {}
        for line in stdout.splitlines():
            message = json.loads(line)
            if message["type"] == "RECORD":
                self.records.setdefault(message["stream"], []).append(message["record"])
            elif message["type"] == "STATE":
                self.state = message["value"]

    def emails(self, stream: str = "list_members") -> set[str]:
        return {r["email_address"] for r in self.records.get(stream, [])}


def test_tap_mailchimp_reads_lists_members_segments_and_increments(
    tap_python: Path, sandbox: SandboxServer, tmp_path: Path
) -> None:
    list_id = sandbox.create_list("Tap readers")
    sandbox.add_member(list_id, "older@engage-sandbox.org", last_changed=OLDER_SECOND)
    for name in ("ada", "bo"):
        sandbox.add_member(
            list_id,
            f"{name}@engage-sandbox.org",
            merge_fields={"FNAME": name.title()},
            tags=["volunteer"] if name == "ada" else (),
            last_changed=BOOKMARK_SECOND,
        )
    with http(sandbox) as api:
        seg = api.post(
            f"/lists/{list_id}/segments",
            json={"name": "seg:tap", "static_segment": ["bo@engage-sandbox.org"]},
        )
        assert seg.status_code == 200, seg.text
    segment_id = seg.json()["id"]

    tap = Tap(tap_python, sandbox, tmp_path)
    catalog = tap.discover(STREAMS)
    first = tap.sync(catalog)

    [listed] = first.records["lists"]
    assert (listed["id"], listed["name"]) == (list_id, "Tap readers")
    assert listed["stats"]["member_count"] == 3
    assert first.emails() == {f"{n}@engage-sandbox.org" for n in ("older", "ada", "bo")}
    ada = next(r for r in first.records["list_members"] if r["email_address"].startswith("ada"))
    assert ada["merge_fields"]["FNAME"] == "Ada" and ada["list_id"] == list_id
    assert [t["name"] for t in ada["tags"]] == ["volunteer"]
    # the tap's schema types a segment id as a string; tags are static segments too
    segments = {s["name"]: s for s in first.records["list_segments"]}
    assert segments["seg:tap"]["id"] == str(segment_id)
    assert (segments["seg:tap"]["type"], segments["seg:tap"]["member_count"]) == ("static", 1)
    assert segments["volunteer"]["member_count"] == 1
    assert first.emails("list_segment_members") == {
        "ada@engage-sandbox.org",
        "bo@engage-sandbox.org",
    }

    bookmark = first.state["bookmarks"]["lists"][list_id]["list_members"]["datetime"]
    assert bookmark.startswith("2026-05-04T10:20:30")  # the newest last_changed it read

    # A change recorded within the bookmark's second, after the first read ...
    sandbox.add_member(
        list_id,
        "bo@engage-sandbox.org",
        merge_fields={"FNAME": "Bo changed"},
        last_changed=BOOKMARK_SECOND,
    )
    # ... and one made through the API now (after the bookmark).
    with http(sandbox) as api:
        patched = api.patch(
            f"/lists/{list_id}/members/{h('ada@engage-sandbox.org')}",
            json={"merge_fields": {"FNAME": "Ada changed"}},
        )
        assert patched.status_code == 200, patched.text

    second = tap.sync(catalog, state=first.state)
    again = {r["email_address"]: r for r in second.records["list_members"]}
    assert again["bo@engage-sandbox.org"]["merge_fields"]["FNAME"] == "Bo changed"
    assert again["ada@engage-sandbox.org"]["merge_fields"]["FNAME"] == "Ada changed"
    assert "older@engage-sandbox.org" not in again  # before the bookmark: not read again
    newer = second.state["bookmarks"]["lists"][list_id]["list_members"]["datetime"]
    assert newer > bookmark


def test_tap_requests_pass_the_host_guard_that_still_refuses_foreign_hosts(
    tap_python: Path, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The tap sends `Host: 127.0.0.1:PORT`, which the DNS-rebinding guard serves; a foreign
    Host on the same port is still refused."""
    sandbox.create_list("Guarded")
    tap = Tap(tap_python, sandbox, tmp_path)
    tap.discover(("lists",))  # discovery checks the key with GET /lists?count=1
    entries = sandbox.request_log().entries
    assert [(e.method, e.endpoint, e.status) for e in entries] == [("GET", "/lists", 200)]
    foreign = httpx.get(
        f"{sandbox.url}/3.0/lists",
        headers={"Host": "evil.example"},
        auth=("tap", sandbox.api_key),
        timeout=10,
    )
    assert foreign.status_code == 403
