"""Addresses of objects by their public ids, each view's worked out once per process (issue 18).

``reverse()`` matches the view's pattern afresh on every call (~20 µs): Inbound Referrals asked it for three
addresses a row, 75 a page. For a view whose arguments are UUIDs (every page about one object, by its
``public_id``), the address is the same text around the ids: it is reversed once with stand-in UUIDs, kept,
and each call puts its ids in their places; a view without arguments is reversed once (the navigation's nine on
every page). Arguments of another kind are reversed as usual.

What is kept depends on everything reverse() reads: the view's name, the number of arguments, the request's
URLconf, the script prefix and the language; a test that changes ROOT_URLCONF empties it (core/apps.py).
"""

from __future__ import annotations

import uuid

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_STAND_INS = [str(uuid.UUID(int=position + 1)) for position in range(4)]
_kept: dict[tuple, str] = {}


def address(view_name: str, *args) -> str:
    """``reverse(view_name, args=args)``, without matching the pattern again when every argument is a UUID (or
    there is none). Raises NoReverseMatch as reverse() does."""
    if len(args) > len(_STAND_INS) or any(type(arg) is not uuid.UUID for arg in args):
        return reverse(view_name, args=args or None)
    key = (view_name, len(args), get_urlconf(), get_script_prefix(), get_language())
    text = _kept.get(key)
    if text is None:
        text = _kept[key] = reverse(view_name, args=_STAND_INS[: len(args)])
    for stand_in, arg in zip(_STAND_INS, args, strict=False):
        text = text.replace(stand_in, str(arg))
    return text


def forget_all(*, setting, **kwargs) -> None:
    """setting_changed: a test that points ROOT_URLCONF elsewhere gets addresses of its own."""
    if setting == "ROOT_URLCONF":
        _kept.clear()


def set_addresses(objects, view_name: str, attribute: str) -> None:
    """Each object's address of ``view_name`` (which takes its ``public_id``) as ``attribute``."""
    for obj in objects:
        setattr(obj, attribute, address(view_name, obj.public_id))
