"""HSDS 3.0 JSON: single objects (service, organization with its services, service_at_location) and lists
(a JSON array, or an HSDS API page whose ``contents`` holds the items).

Each record remembers the line its object starts on, so that a refused record can be found in the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .records import OrganizationRecord, Reading, ServiceRecord, Source

_ORGANIZATION_ONLY_KEYS = {
    "website",
    "year_incorporated",
    "legal_status",
    "tax_status",
    "tax_id",
    "logo",
    "parent_organization_id",
    "organization_identifiers",
    "funding_source",
}
_WHITESPACE = " \t\r\n"


def read_json_file(path: Path, reading: Reading, *, label: str | None = None) -> None:
    label = label or path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reading.reject(Source(label), f"cannot read the file: {error}")
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        reading.reject(Source(label, error.lineno), f"invalid JSON: {error.msg} (column {error.colno})")
        return
    except RecursionError:
        reading.reject(Source(label), "invalid JSON: nested too deeply")
        return
    for line, item in _items_with_lines(text, document):
        _add_item(item, Source(label, line), reading, hint=path.stem)


def _items_with_lines(text: str, document):
    """(line, item) for each top-level item: the document itself, or each element of its list."""
    if isinstance(document, list):
        start = text.index("[")
        yield from zip(_array_item_lines(text, start), document)
    elif isinstance(document, dict) and isinstance(document.get("contents"), list):
        match = re.search(r'"contents"\s*:\s*\[', text)
        lines = _array_item_lines(text, match.end() - 1) if match else []
        lines = list(lines) or [_line_of(text, 0)] * len(document["contents"])
        yield from zip(lines, document["contents"])
    else:
        yield _line_of(text, len(text) - len(text.lstrip(_WHITESPACE + "\ufeff"))), document


def _array_item_lines(text: str, start: int):
    """The line each element of the JSON array that opens at ``text[start]`` starts on."""
    decoder = json.JSONDecoder()
    index = start + 1
    # Lines are counted from one element to the next, not from the start of the file each time: a file of
    # 50,000 services would otherwise be scanned 50,000 times.
    counted_to, line = 0, 1
    while True:
        while index < len(text) and text[index] in _WHITESPACE:
            index += 1
        if index >= len(text) or text[index] == "]":
            return
        line += text.count("\n", counted_to, index)
        counted_to = index
        yield line
        _, index = decoder.raw_decode(text, index)
        while index < len(text) and text[index] in _WHITESPACE:
            index += 1
        if index < len(text) and text[index] == ",":
            index += 1


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _add_item(item, source: Source, reading: Reading, *, hint: str) -> None:
    if not isinstance(item, dict):
        reading.reject(source, f"expected a JSON object, found {type(item).__name__}")
        return
    if isinstance(item.get("services"), list):
        organization = {key: value for key, value in item.items() if key != "services"}
        reading.organizations.append(OrganizationRecord(organization, source))
        for service in item["services"]:
            if isinstance(service, dict):
                reading.services.append(ServiceRecord({**service, "organization": organization}, source))
            else:
                reading.reject(source, "an organization's services must be JSON objects")
    elif isinstance(item.get("service"), dict):
        # A service_at_location: the service, with this one place attached.
        place = {key: value for key, value in item.items() if key != "service"}
        service = dict(item["service"])
        service["service_at_locations"] = [*(service.get("service_at_locations") or []), place]
        reading.services.append(ServiceRecord(service, source))
    elif "organization" in item or "organization_id" in item:
        reading.services.append(ServiceRecord(item, source))
    elif "organization" in hint or _ORGANIZATION_ONLY_KEYS & set(item):
        reading.organizations.append(OrganizationRecord(item, source))
    else:
        reading.services.append(ServiceRecord(item, source))
