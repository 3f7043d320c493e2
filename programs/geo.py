"""Zip-code centres from the offline `zipcodes` package (no network at run time)."""

from functools import lru_cache

import zipcodes


@lru_cache(maxsize=4096)
def zip_centre(zip_code: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a US zip code's centre, or None when unknown or malformed."""
    zip_code = (zip_code or "").strip()[:5]
    if len(zip_code) != 5 or not zip_code.isdigit():
        return None
    try:
        matches = zipcodes.matching(zip_code)
    except (TypeError, ValueError):
        return None
    if not matches or not matches[0].get("lat"):
        return None
    return float(matches[0]["lat"]), float(matches[0]["long"])
