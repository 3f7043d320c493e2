"""Zip-code centres from the offline `zipcodes` package (no network at run time)."""

from functools import cache

import zipcodes

from core.zipcode import zip_or_none


@cache
def _centres() -> dict[str, tuple[float, float]]:
    """Every known zip code's centre, read once: ``zipcodes.matching`` scans the whole list on each call,
    which an import of tens of thousands of services cannot afford."""
    centres = {}
    for entry in zipcodes.list_all():
        if entry.get("lat") and entry.get("long"):
            centres.setdefault(entry["zip_code"], (float(entry["lat"]), float(entry["long"])))
    return centres


def zip_centre(zip_code: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a US zip code's centre (ZIP+4 is placed by its five digits), or None when unknown
    or malformed. Only what ``core.zipcode`` reads as a zip code reaches the zip-code table."""
    zip_code = zip_or_none(zip_code)
    return _centres().get(zip_code) if zip_code else None
