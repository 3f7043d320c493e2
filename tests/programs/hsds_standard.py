"""The official HSDS 3.0 JSON Schemas (vendored in programs/hsds/schema/, see its SOURCE.md) as validators.

Draft 2020-12, as the schemas and openapi.json declare, with format checking on (``uuid``, ``email``,
``uri``, ``date-time``): a strict consumer checks them, so we do too. The upstream addresses the schemas
refer to each other by are served from the vendored folder; nothing is fetched.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import programs.hsds

SCHEMA_DIR = Path(programs.hsds.__file__).parent / "schema"
UPSTREAM = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


@cache
def load(name: str) -> dict:
    """A vendored schema by its upstream relative name (``compiled/service.json``, ``taxonomy.json``)."""
    path = SCHEMA_DIR / name
    if not path.exists():
        path = path.with_name(path.name + ".gz")
        return json.loads(gzip.decompress(path.read_bytes()))
    return json.loads(path.read_text())


def _names() -> list[str]:
    names = [p.name for p in SCHEMA_DIR.glob("*.json") if p.name != "openapi.json"]
    names += [f"compiled/{p.name.removesuffix('.gz')}" for p in (SCHEMA_DIR / "compiled").glob("*.json.gz")]
    return names


@cache
def registry() -> Registry:
    """Every vendored schema under its upstream address (the schemas declare no $schema: 2020-12)."""
    resources = [(UPSTREAM + name, Resource(contents=load(name), specification=DRAFT202012)) for name in _names()]
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    schema = {"$ref": UPSTREAM + name}
    return Draft202012Validator(schema, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(document, name: str) -> list[str]:
    """Each way ``document`` fails the schema ``name``, as "path: message" (empty when it validates)."""
    found = []
    for error in validator(name).iter_errors(document):
        path = "/".join(str(part) for part in error.absolute_path) or "(document)"
        found.append(f"{path}: {error.message}")
    return sorted(found)


def _component(name: str) -> str:
    return name.removeprefix("compiled/").removesuffix(".json").replace("/", "_")


def offline_openapi(document: dict) -> dict:
    """``document`` (an HSDS openapi.json) with every schema it refers to at its upstream address copied
    into ``components.schemas`` and referred to there: a tool that reads it fetches nothing."""
    import copy

    document = copy.deepcopy(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})

    def localize(value, *, base: str = ""):
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                name = ref.removeprefix(UPSTREAM) if ref.startswith(UPSTREAM) else base + ref
                if _component(name) not in schemas:
                    schemas[_component(name)] = {}  # placed first: schemas that refer to each other end
                    schemas[_component(name)] = localize(
                        load(name), base=name.rpartition("/")[0] + "/" if "/" in name else ""
                    )
                return {
                    **{k: localize(v, base=base) for k, v in value.items() if k != "$ref"},
                    "$ref": f"#/components/schemas/{_component(name)}",
                }
            return {key: localize(item, base=base) for key, item in value.items()}
        if isinstance(value, list):
            return [localize(item, base=base) for item in value]
        return value

    document["paths"] = localize(document["paths"])
    return document
