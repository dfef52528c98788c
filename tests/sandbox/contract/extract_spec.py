"""Cut the operations the sandbox serves out of Mailchimp's published OpenAPI file.

The full file (3 MB, `mailchimp-marketing-openapi.json`, see the project's reference notes) is
not in the repository; this script writes `mailchimp_openapi_subset.json` next to it: the
operations of every route the sandbox serves, with their `$ref` closure under `components`
(prose such as descriptions dropped, everything a validator reads unchanged), plus the sha256
of the source so drift is visible. It also writes `mailchimp_sandbox/response_fields.json`: the
dot paths `fields` / `exclude_fields` may name, per response, derived by
`mailchimp_sandbox.partial.derive` (the sandbox reads that file at run time). Re-run it when the
spec is refreshed:

    .venv/bin/python tests/sandbox/contract/extract_spec.py PATH/TO/mailchimp-marketing-openapi.json
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SUBSET = HERE / "mailchimp_openapi_subset.json"
RESPONSE_FIELDS = HERE.parents[2] / "mailchimp_sandbox" / "response_fields.json"
KEEP_OPERATION_KEYS = ("operationId", "parameters", "requestBody", "responses")
# Prose and generator annotations carry no validation meaning; dropping them keeps the file small.
DROP_KEYS = {"description", "example", "x-ballerina-name", "externalDocs"}


def _strip(node: Any, names: bool = False) -> Any:
    """Drop DROP_KEYS from schema nodes; `names` marks a map of property names (kept)."""
    if isinstance(node, dict):
        return {
            k: _strip(v, names=(k == "properties" and not names))
            for k, v in node.items()
            if names or k not in DROP_KEYS
        }
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def spec_path_key(template: str) -> str:
    """Official template to this file's key: '{list_id}' -> '{listId}'."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: "{" + re.sub(r"_(\w)", lambda x: x.group(1).upper(), m.group(1)) + "}",
        template,
    )


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def extract(spec: dict[str, Any], endpoints: list[tuple[str, str]]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for method, template in endpoints:
        key = spec_path_key(template)
        op = spec["paths"][key][method.lower()]  # KeyError = a route the spec does not have
        paths.setdefault(key, {})[method.lower()] = {
            k: op[k] for k in KEEP_OPERATION_KEYS if k in op
        }
    pending: set[str] = set()
    _refs(paths, pending)
    done: set[str] = set()
    components: dict[str, dict[str, Any]] = {}
    while pending:
        ref = pending.pop()
        if ref in done:
            continue
        done.add(ref)
        node = _resolve(spec, ref)
        _, _, kind, name = ref.split("/", 3)
        components.setdefault(kind, {})[name] = node
        _refs(node, pending)
    return {"paths": _strip(paths), "components": _strip(components)}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    sys.path.insert(0, str(HERE.parents[2]))
    from mailchimp_sandbox.api import MailchimpApi
    from mailchimp_sandbox.partial import derive

    source = Path(argv[1])
    raw = source.read_bytes()
    spec = json.loads(raw)
    endpoints = MailchimpApi().router.endpoints()
    subset = extract(spec, endpoints)
    subset = {
        "source": {
            "file": source.name,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "info_version": spec["info"]["version"],
            "openapi": spec["openapi"],
        },
        **subset,
    }
    SUBSET.write_text(json.dumps(subset, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {SUBSET} ({SUBSET.stat().st_size} bytes, {len(subset['paths'])} paths)")
    trees = {"source": subset["source"], "trees": derive(spec, endpoints)}
    RESPONSE_FIELDS.write_text(json.dumps(trees, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RESPONSE_FIELDS} ({len(trees['trees'])} responses)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
