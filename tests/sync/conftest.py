"""Fixtures for the sync tests: a tmp warehouse, a manifest, and a client on the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from synctest_helpers import build_desired, default_meta, make_warehouse, write_manifest

from sync.jobs.audience_sync import JobOutcome, sync_job
from sync.mailchimp import state
from sync.mailchimp.client import MailchimpClient, RetryPolicy, Target


@dataclass
class SyncEnv:
    """One audience declaration, its warehouse file and the sandbox it syncs to."""

    tmp: Path
    sandbox: Any
    db: Path
    manifest: Path
    meta: dict[str, Any]
    key: str = "mailchimp_supporters"

    def client(self, concurrency: int = 8) -> MailchimpClient:
        target = Target(base_url=self.sandbox.url, api_key=self.sandbox.api_key, overridden=True)
        return MailchimpClient(target, concurrency=concurrency, retry=RetryPolicy.fast())

    def warehouse(self, supporters: list[dict], memberships: list[tuple[str, str, str]]) -> None:
        con = state.connect(self.db)
        try:
            make_warehouse(con, supporters, memberships)
            build_desired(con, {self.key: self.meta})
        finally:
            con.close()

    def declare(self, **overrides: Any) -> None:
        """Declare the audience (and rebuild the desired state, as `engage build` would)."""
        self.meta = default_meta(**overrides)
        write_manifest(self.manifest, {self.key: self.meta})
        if self.db.exists():
            con = state.connect(self.db)
            try:
                if con.execute(
                    "select count(*) from information_schema.tables "
                    "where table_schema = 'main' and table_name = 'supporters'"
                ).fetchone()[0]:
                    build_desired(con, {self.key: self.meta})
            finally:
                con.close()

    def sync(self, **kw: Any) -> JobOutcome:
        client = kw.pop("client", None) or self.client()
        try:
            return sync_job(self.db, self.manifest, client=client, **kw)
        finally:
            client.close()

    def query(self, sql: str, *params: Any) -> list[tuple]:
        con = state.connect(self.db)
        try:
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()

    def audience_id(self) -> str:
        return self.query(
            "select audience_id from engage_sync.audiences where audience_key = ?", self.key
        )[0][0]

    def members(self) -> dict[str, dict[str, Any]]:
        """email -> member view of the synced audience in the sandbox."""
        aid = self.audience_id()
        [lst] = [x for x in self.sandbox.dump()["lists"] if x["id"] == aid]
        out = {}
        for raw in lst["members"]:
            m = self.sandbox.member(aid, raw["hash"])
            out[m["email_address"]] = m
        return out


@pytest.fixture
def env(tmp_path, sandbox) -> SyncEnv:
    e = SyncEnv(
        tmp_path, sandbox, tmp_path / "engage.duckdb", tmp_path / "manifest.json", default_meta()
    )
    e.declare()
    return e
