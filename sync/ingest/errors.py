"""The one error type of the ingest package: a raw file or folder that cannot be read."""

from __future__ import annotations


class IngestError(Exception):
    """A raw file or the raw folder cannot be read. The message names the path and the fix."""
