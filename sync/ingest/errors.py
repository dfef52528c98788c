"""The one error type of the ingest package: a raw file or folder that cannot be read.

Defined with every other engage error in `sync.errors`; named here for the ingest modules.
"""

from __future__ import annotations

from sync.errors import IngestError

__all__ = ["IngestError"]
