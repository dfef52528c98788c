"""Partial responses: `fields` / `exclude_fields`, checked against Mailchimp's published schema.

Owns three things:

- `derive(spec, endpoints)`: the dot paths each response may be filtered on, read from the
  success-response schema of each operation in Mailchimp's published OpenAPI file (following
  `$ref`, `allOf`/`anyOf`/`oneOf` and array `items`). The result is a tree of property names
  per `"METHOD /template"`; `"*"` stands for any name at any depth below it (an object with
  `additionalProperties` or no declared properties: merge fields, interests). Never a hand
  list: the trees ship as `response_fields.json` beside this module, written from the spec
  by `tests/sandbox/contract/extract_spec.py`, and a test re-derives them and compares.
- `split(...)`: which requested paths the schema knows. Mailchimp ignores a path its schema
  does not have (the response simply lacks it; no error), so by default the sandbox does too.
  Evidence: the widely used Singer tap-mailchimp asks every list endpoint for `constraints`,
  which only `GET /lists` has, and works against the live API; and a maintainer's thread
  (mailchimp/mailchimp-client-lib-codegen#135) shows `fields=email_address` on the members
  list, a path outside the envelope, answered 200 rather than 400;
  the `fields_outside_schema="error"` setting turns such a path into Mailchimp's
  `400 Requested Fields Invalid`, to catch typos in a client under test.
- `apply(...)`: the filtering itself, relative to the response envelope
  (`members.email_address,total_items`). A path in the schema that the sandbox does not store
  (`members.last_note`, `members.sms_phone_number`) is simply absent, as Mailchimp leaves out
  a value that was never set.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from mailchimp_sandbox import errors

ANY = "*"  # in a path tree: any name below, at any depth
Tree = dict[str, Any]  # name -> subtree; {} is a leaf (the whole value)
SCHEMA_FILE = "response_fields.json"
MAX_DEPTH = 12  # schema nesting followed; Mailchimp's responses stay well below it


# ---------------------------------------------------------------------- deriving the trees


def spec_path_key(template: str) -> str:
    """The sandbox's route template to the spec's path key: '{list_id}' -> '{listId}'."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: "{" + re.sub(r"_(\w)", lambda x: x.group(1).upper(), m.group(1)) + "}",
        template,
    )


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen:
            return {}
        seen.add(ref)
        target: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _merge(into: Tree, other: Tree) -> None:
    for key, sub in other.items():
        if key in into:
            _merge(into[key], sub)
        else:
            into[key] = sub


def _schema_tree(
    spec: dict[str, Any], node: Any, refs: tuple[str, ...] = (), depth: int = 0
) -> Tree:
    """The names reachable below one schema node ({} for a scalar)."""
    if depth > MAX_DEPTH or not isinstance(node, dict):
        return {}
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in refs:  # a recursive schema: stop, the value counts as a whole
            return {}
        return _schema_tree(spec, _resolve(spec, node), (*refs, ref), depth)
    tree: Tree = {}
    for combinator in ("allOf", "anyOf", "oneOf"):
        for part in node.get(combinator) or ():
            _merge(tree, _schema_tree(spec, part, refs, depth))
    if "items" in node:  # dot paths go through arrays to their elements
        _merge(tree, _schema_tree(spec, node["items"], refs, depth))
    props = node.get("properties")
    if isinstance(props, dict):
        for name, sub in props.items():
            _merge(tree.setdefault(name, {}), _schema_tree(spec, sub, refs, depth + 1))
    extra = node.get("additionalProperties")
    if extra not in (None, False) or (node.get("type") == "object" and not props and not tree):
        tree[ANY] = {}
    return tree


def _success_schema(operation: dict[str, Any]) -> Any:
    responses = operation.get("responses") or {}
    for status in sorted(responses):
        if not status.startswith("2"):
            continue
        content = responses[status].get("content") or {}
        media = content.get("application/json") or next(iter(content.values()), None)
        if media and "schema" in media:
            return media["schema"]
    return None


def derive(spec: dict[str, Any], endpoints: list[tuple[str, str]]) -> dict[str, Tree]:
    """`"METHOD /template"` -> path tree, for each endpoint whose success response has a body."""
    out: dict[str, Tree] = {}
    for method, template in endpoints:
        operation = spec["paths"].get(spec_path_key(template), {}).get(method.lower())
        schema = _success_schema(operation) if operation else None
        if schema is not None:
            out[f"{method} {template}"] = _schema_tree(spec, schema)
    return out


@cache
def shipped_trees() -> dict[str, Tree]:
    """The trees derived from the published schema, as shipped with the package."""
    text = resources.files("mailchimp_sandbox").joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)["trees"]


# ---------------------------------------------------------------------- applying a request


def csv_paths(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def _tree(paths: list[str]) -> Tree:
    tree: Tree = {}
    for path in paths:
        node = tree
        for part in path.split("."):
            node = node.setdefault(part, {})
    return tree


def split(requested: Tree, schema: Tree, prefix: str = "") -> tuple[Tree, list[str]]:
    """(the part of `requested` the schema knows, the dot paths it does not know)."""
    known: Tree = {}
    unknown: list[str] = []
    for key, sub in requested.items():
        path = f"{prefix}{key}"
        if ANY in schema:
            known[key] = sub  # anything below a free-form object is fine
            continue
        if key not in schema:
            unknown.append(path)
            continue
        if not sub:
            known[key] = {}
            continue
        if not schema[key]:  # deeper than a scalar
            unknown.extend(f"{path}.{p}" for p in _paths(sub))
            continue
        inner, missing = split(sub, schema[key], path + ".")
        unknown.extend(missing)
        if inner:  # a branch whose every child is unknown selects nothing at all
            known[key] = inner
    return known, unknown


def _paths(tree: Tree) -> list[str]:
    out: list[str] = []
    for key, sub in tree.items():
        out.extend([f"{key}.{p}" for p in _paths(sub)] if sub else [key])
    return out


def _keep(doc: Any, tree: Tree) -> Any:
    if isinstance(doc, list):
        return [_keep(item, tree) for item in doc]
    if not isinstance(doc, dict):
        return doc
    return {k: (_keep(doc[k], sub) if sub else doc[k]) for k, sub in tree.items() if k in doc}


def _drop(doc: Any, tree: Tree) -> Any:
    if isinstance(doc, list):
        return [_drop(item, tree) for item in doc]
    if not isinstance(doc, dict):
        return doc
    out = {}
    for k, v in doc.items():
        if k not in tree:
            out[k] = v
        elif tree[k]:
            out[k] = _drop(v, tree[k])
    return out


def apply(
    doc: Any,
    endpoint: str,
    fields: list[str],
    exclude: list[str],
    outside_schema: str = "ignore",
) -> Any:
    """Filter a response body as Mailchimp does (`endpoint` is "METHOD /template")."""
    requested = _tree(fields or exclude)
    schema = shipped_trees().get(endpoint)
    if schema is not None:
        requested, unknown = split(requested, schema)
        if unknown and outside_schema == "error":
            raise errors.fields_invalid()
    return _keep(doc, requested) if fields else _drop(doc, requested)
