"""Addresses of many objects of one view, worked out once a page."""

from __future__ import annotations

import uuid

from django.urls import reverse

_PLACEHOLDER = str(uuid.UUID(int=0))


def set_addresses(objects, view_name: str, attribute: str) -> None:
    """Each object's address of ``view_name`` (which takes its ``public_id``) as ``attribute``: one reverse() for
    them all rather than one an object (57 µs each, measured on program search's cards)."""
    address = reverse(view_name, args=[_PLACEHOLDER])
    for obj in objects:
        setattr(obj, attribute, address.replace(_PLACEHOLDER, str(obj.public_id)))
