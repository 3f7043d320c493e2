"""The HSDS API's OpenAPI description, as /hsds/openapi.json serves it.

It is Open Referral's own openapi.json (vendored unchanged in schema/, see schema/SOURCE.md), with what the
specification leaves for each implementer to fill in (``info``, ``servers``), the bounds of ``page`` and
``per_page`` (upstream sets none; we refuse a page below 1), and one correction:
upstream describes ``GET /service_at_locations/{id}`` as answering a *service* (compiled/service.json), where
its summary, and every implementation, answer a service_at_location; we say
compiled/service_at_location.json. The schemas stay referred to at their upstream addresses.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

from core.numbers import MAX_DIGITS

from .export import HSDS_VERSION

SCHEMA_DIR = Path(__file__).parent / "schema"
UPSTREAM = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
SERVICE_AT_LOCATION_PATH = "/service_at_locations/{id}"


@cache
def upstream_openapi() -> dict:
    return json.loads((SCHEMA_DIR / "openapi.json").read_text())


def openapi_document(*, server_url: str) -> dict:
    document = copy.deepcopy(upstream_openapi())
    document["info"] = {
        "title": "Referral network directory (Open Referral HSDS)",
        "version": HSDS_VERSION,
        "summary": "The programs of this referral network, their organizations and categories, as HSDS 3.0.",
        "description": "Public and read-only. Every document validates against the HSDS 3.0 JSON Schemas. "
        "Ids are UUIDs. Lists take page and per_page (at most 100; with minimal, 10,000), "
        "and format=ndjson streams every result, one JSON document a line, without pages.",
    }
    document["servers"] = [{"url": server_url.rstrip("/")}]
    # Upstream leaves page and per_page unbounded; we answer 400 below 1 and past 18 digits (core.numbers).
    for name in ("page", "per_page"):
        document["components"]["parameters"][name]["schema"].update({"minimum": 1, "maximum": 10**MAX_DIGITS - 1})
    response = document["paths"][SERVICE_AT_LOCATION_PATH]["get"]["responses"]["200"]
    response["content"]["application/json"]["schema"] = {"$ref": f"{UPSTREAM}compiled/service_at_location.json"}
    return document
