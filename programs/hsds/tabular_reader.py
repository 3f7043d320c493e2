"""HSDS tabular data packages: a folder of CSV files, described by ``datapackage.json``.

One reader serves HSDS 3.0 (singular table names: ``service.csv``, ``address.csv``, ``schedule.csv``,
``attribute.csv`` + ``taxonomy_term.csv``) and HSDS 1.1 (``services.csv``, ``physical_addresses.csv``,
``regular_schedules.csv``, ``service_taxonomy.csv`` + ``taxonomy.csv``, ``eligibility.csv``): tables are
found by their datapackage resource name or file name, and the rows of each service are nested into the
shape of an HSDS 3.0 JSON service, which the one mapping (programs.hsds.mapping) then reads.

A row that cannot be read (wrong number of fields, no id, a duplicate id) is refused with its file and
line; the rest of the file goes on.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

from .records import OrganizationRecord, Reading, ServiceRecord, Source

# canonical table -> the names it goes by (resource names and file stems, HSDS 3.0 and 1.1)
TABLE_NAMES = {
    "organization": ("organization", "organizations"),
    "service": ("service", "services"),
    "location": ("location", "locations"),
    "service_at_location": (
        "service_at_location",
        "service_at_locations",
        "services_at_location",
        "services_at_locations",
    ),
    "address": ("address", "addresses", "physical_address", "physical_addresses", "postal_address", "postal_addresses"),
    "phone": ("phone", "phones"),
    "schedule": ("schedule", "schedules", "regular_schedule", "regular_schedules"),
    "service_area": ("service_area", "service_areas"),
    "language": ("language", "languages"),
    "eligibility": ("eligibility", "eligibilities"),
    "required_document": ("required_document", "required_documents"),
    "taxonomy_term": ("taxonomy_term", "taxonomy_terms", "taxonomy", "taxonomies"),
    "attribute": ("attribute", "attributes"),
    "service_taxonomy": ("service_taxonomy", "service_taxonomies"),
    "capacity": ("service_capacity", "service_capacities", "capacity"),
}
_CANONICAL = {alias: table for table, aliases in TABLE_NAMES.items() for alias in aliases}


def is_tabular_package(folder: Path) -> bool:
    return (folder / "datapackage.json").is_file() or any(
        (folder / f"{name}.csv").is_file() for name in TABLE_NAMES["service"]
    )


def _table_files(folder: Path, reading: Reading) -> dict[str, list[Path]]:
    """canonical table -> its CSV files, from datapackage.json when there is one, else from file names."""
    files: dict[str, list[Path]] = defaultdict(list)
    descriptor = folder / "datapackage.json"
    resources = []
    if descriptor.is_file():
        try:
            package = json.loads(descriptor.read_text(encoding="utf-8-sig"))
            resources = [
                (r.get("name", ""), r.get("path", ""))
                for r in package.get("resources", [])
                if isinstance(r, dict) and isinstance(r.get("path"), str)
            ]
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as error:
            line = getattr(error, "lineno", None)
            reading.warn(
                Source("datapackage.json", line),
                f"cannot read the package descriptor ({error}); finding tables by file name",
            )
    if not resources:
        resources = [(path.stem, path.name) for path in sorted(folder.glob("*.csv"))]
    for name, relative in resources:
        path = (folder / relative).resolve()
        if folder.resolve() not in path.parents:
            reading.warn(Source("datapackage.json"), f"ignored resource {relative!r} outside the package folder")
            continue
        table = _CANONICAL.get(name) or _CANONICAL.get(Path(relative).stem)
        if table and path.is_file():
            files[table].append(path)
        elif table:
            reading.reject(Source(relative), "listed in datapackage.json but missing")
    return files


def _read_csv(path: Path, reading: Reading, progress) -> list[tuple[dict, Source]]:
    label = path.name
    rows = []
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        reading.reject(Source(label), f"cannot read the file: {error}")
        return rows
    with handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            return rows
        except (csv.Error, UnicodeDecodeError) as error:
            reading.reject(Source(label, 1), f"unreadable header: {error}")
            return rows
        previous_end = reader.line_num
        while True:
            start = previous_end + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError:
                reading.reject(Source(label, start), "the file is not UTF-8 from here on; the rest is skipped")
                break
            except csv.Error as error:
                reading.reject(Source(label, start), f"unreadable CSV row: {error}")
                if reader.line_num < start:
                    break
                previous_end = reader.line_num
                continue
            previous_end = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                reading.reject(
                    Source(label, start), f"the row has {len(values)} fields where the header has {len(header)}"
                )
                continue
            rows.append(({name: value.strip() for name, value in zip(header, values)}, Source(label, start)))
            if progress:
                progress(label, len(rows))
    return rows


def read_tabular_package(folder: Path, reading: Reading, *, progress=None) -> None:
    files = _table_files(folder, reading)
    tables: dict[str, list[tuple[dict, Source]]] = {}
    for table, paths in files.items():
        tables[table] = []
        for path in paths:
            rows = _read_csv(path, reading, progress)
            if table == "address":
                default_type = "postal" if "postal" in path.stem else "physical"
                for row, _ in rows:
                    row.setdefault("address_type", default_type)
                    row["address_type"] = row["address_type"] or default_type
            tables[table].extend(rows)

    def by_id(table: str) -> dict[str, dict]:
        found: dict[str, tuple[dict, Source]] = {}
        for row, source in tables.get(table, []):
            row_id = row.get("id", "")
            if not row_id:
                reading.reject(source, f"the {table} row has no id")
            elif row_id in found:
                reading.reject(source, f"duplicate {table} id {row_id} (first at line {found[row_id][1].line})")
            else:
                found[row_id] = (row, source)
        return found

    def grouped(table: str, key: str) -> dict[str, list[dict]]:
        groups = defaultdict(list)
        for row, _ in tables.get(table, []):
            if row.get(key):
                groups[row[key]].append(row)
        return groups

    organizations = by_id("organization")
    locations = by_id("location")
    services = by_id("service")
    terms = {row_id: row for row_id, (row, _) in by_id("taxonomy_term").items()}

    phone_languages = grouped("language", "phone_id")

    def phones(rows):
        result = []
        for row in rows:
            phone = dict(row)
            languages = [{"name": part.strip()} for part in row.get("language", "").split(",") if part.strip()]
            phone["languages"] = languages + phone_languages.get(row.get("id", ""), [])
            result.append(phone)
        return result

    phones_of = {
        key: grouped("phone", key) for key in ("service_id", "location_id", "organization_id", "service_at_location_id")
    }
    schedules_of = {key: grouped("schedule", key) for key in ("service_id", "location_id", "service_at_location_id")}
    languages_of = {key: grouped("language", key) for key in ("service_id", "location_id")}
    addresses_of_location = grouped("address", "location_id")
    places_of_service = grouped("service_at_location", "service_id")
    areas_of_service = grouped("service_area", "service_id")
    eligibility_of_service = grouped("eligibility", "service_id")
    documents_of_service = grouped("required_document", "service_id")
    capacity_of_service = grouped("capacity", "service_id")
    attributes_of = grouped("attribute", "link_id")
    taxonomy_of_service = grouped("service_taxonomy", "service_id")

    def language_list(rows):
        return [{"code": row.get("code", ""), "name": row.get("name") or row.get("language", "")} for row in rows]

    def location(location_id: str) -> dict | None:
        if location_id not in locations:
            return None
        row, _ = locations[location_id]
        return {
            **row,
            "addresses": addresses_of_location.get(location_id, []),
            "phones": phones(phones_of["location_id"].get(location_id, [])),
            "schedules": schedules_of["location_id"].get(location_id, []),
            "languages": language_list(languages_of["location_id"].get(location_id, [])),
        }

    for organization_id, (row, source) in organizations.items():
        reading.organizations.append(
            OrganizationRecord({**row, "phones": phones(phones_of["organization_id"].get(organization_id, []))}, source)
        )

    for service_id, (row, source) in services.items():
        data = {key: value for key, value in row.items() if value != ""}
        organization_id = row.get("organization_id", "")
        if organization_id in organizations:
            data["organization"] = {
                **organizations[organization_id][0],
                "phones": phones(phones_of["organization_id"].get(organization_id, [])),
            }
        data["phones"] = phones(phones_of["service_id"].get(service_id, []))
        data["schedules"] = schedules_of["service_id"].get(service_id, [])
        data["languages"] = language_list(languages_of["service_id"].get(service_id, []))
        data["service_areas"] = [
            {**area, "name": area.get("name") or area.get("service_area", "")}
            for area in areas_of_service.get(service_id, [])
        ]
        if not data.get("eligibility_description") and eligibility_of_service.get(service_id):
            data["eligibility_description"] = "; ".join(
                row["eligibility"] for row in eligibility_of_service[service_id] if row.get("eligibility")
            )
        data["required_documents"] = documents_of_service.get(service_id, [])
        data["capacities"] = capacity_of_service.get(service_id, [])
        term_ids = [
            a.get("taxonomy_term_id", "")
            for a in attributes_of.get(service_id, [])
            if a.get("link_entity", "service") in ("service", "")
        ]
        term_ids += [link.get("taxonomy_id", "") for link in taxonomy_of_service.get(service_id, [])]
        term_ids += [part.strip() for part in row.get("taxonomy_ids", "").split(",") if part.strip()]
        attributes = []
        for term_id in dict.fromkeys(term_ids):
            if term_id in terms:
                attributes.append({"taxonomy_term": terms[term_id]})
            elif term_id:
                reading.warn(source, f"service {service_id} names taxonomy term {term_id}, which is not in the package")
        data["attributes"] = attributes
        places = []
        for place in places_of_service.get(service_id, []):
            place_id = place.get("id", "")
            places.append(
                {
                    **place,
                    "location": location(place.get("location_id", "")),
                    "phones": phones(phones_of["service_at_location_id"].get(place_id, [])) if place_id else [],
                    "schedules": schedules_of["service_at_location_id"].get(place_id, []) if place_id else [],
                }
            )
            if place.get("location_id") and place["location_id"] not in locations:
                reading.warn(
                    source,
                    f"service {service_id} is placed at location {place['location_id']}, which is not in the package",
                )
        data["service_at_locations"] = places
        reading.services.append(ServiceRecord(data, source))
