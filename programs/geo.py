"""Zip-code centres from the offline `zipcodes` package (no network at run time)."""

from functools import cache

import zipcodes


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
    """(latitude, longitude) of a US zip code's centre, or None when unknown or malformed."""
    zip_code = (zip_code or "").strip()[:5]
    if len(zip_code) != 5 or not zip_code.isdigit():
        return None
    return _centres().get(zip_code)
