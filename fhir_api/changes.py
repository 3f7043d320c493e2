"""Reads a Task status change from a FHIR request body and maps it back onto our statuses and reasons.

Accepted bodies:
- PATCH ``application/json-patch+json``: ``replace``/``add`` of ``/status``, ``/statusReason``,
  ``/businessStatus``, ``/note`` (or ``/note/-``), and ``test`` of ``/meta/versionId``;
- PATCH ``application/fhir+json`` (or ``application/json``): a partial Task with those elements;
- PUT: a whole Task; only those elements are taken, the rest of the Task is ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import Conflict, InvalidInput
from core.numbers import parse_int
from referrals import statuses
from referrals.statuses import Status

from .resources import TASK_STATUS_CODES

UPDATABLE = ("status", "statusReason", "businessStatus", "note")


class BadRequest(InvalidInput):
    """The body is not a change we can read (400)."""

    code = "bad_request"


class Unsupported(Conflict):
    """A valid FHIR Task status that our referrals cannot be moved to (409)."""

    code = "unsupported_status"


@dataclass
class TaskChange:
    status: str
    status_reason: dict | None = None
    business_status: dict | None = None
    note: str = ""
    version: int | None = None


def _version(value) -> int:
    version = parse_int(value if isinstance(value, (str, int)) else None)
    if version is None:
        raise BadRequest(f"meta.versionId {str(value)[:40]!r} is not a version number")
    return version


def _note_text(value) -> str:
    notes = value if isinstance(value, list) else [value]
    texts = [note.get("text", "") for note in notes if isinstance(note, dict)]
    return str(texts[-1]) if texts else ""


def _from_elements(elements: dict) -> TaskChange:
    status = elements.get("status")
    if not isinstance(status, str) or not status:
        raise BadRequest("Task.status is required")
    for key in ("statusReason", "businessStatus"):
        if elements.get(key) is not None and not isinstance(elements[key], dict):
            raise BadRequest(f"Task.{key} must be a CodeableConcept")
    version = None
    meta = elements.get("meta")
    if isinstance(meta, dict) and meta.get("versionId") is not None:
        version = _version(meta["versionId"])
    return TaskChange(
        status=status,
        status_reason=elements.get("statusReason"),
        business_status=elements.get("businessStatus"),
        note=_note_text(elements.get("note")),
        version=version,
    )


def change_from_resource(body, *, task_id: str, whole: bool) -> TaskChange:
    """A change from a (partial, unless ``whole``) Task resource."""
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object (a Task)")
    resource_type = body.get("resourceType")
    if (whole or resource_type is not None) and resource_type != "Task":
        raise BadRequest("the body must be a Task resource")
    if body.get("id") is not None and str(body["id"]) != task_id:
        raise BadRequest("the Task id in the body does not match the URL")
    return _from_elements(body)


def change_from_json_patch(operations) -> TaskChange:
    if not isinstance(operations, list) or not operations:
        raise BadRequest("a JSON Patch is a non-empty list of operations")
    elements: dict = {}
    for operation in operations:
        if (
            not isinstance(operation, dict)
            or not isinstance(operation.get("op"), str)
            or not isinstance(operation.get("path"), str)
        ):
            raise BadRequest("each JSON Patch operation needs an op and a path")
        op, path = operation["op"], operation["path"]
        if op == "test" and path == "/meta/versionId":
            elements["meta"] = {"versionId": operation.get("value")}
            continue
        element = path.strip("/").split("/")[0]
        if op not in ("replace", "add") or element not in UPDATABLE:
            raise BadRequest(
                f"cannot {op} {path}: only /status, /statusReason, /businessStatus and /note "
                "can be changed (and /meta/versionId tested)"
            )
        if "value" not in operation:
            raise BadRequest(f"the {op} of {path} has no value")
        value = operation["value"]
        if element == "note" and path.endswith("/-"):
            value = [value]
        elements[element] = value
    return _from_elements(elements)


def _codes(concept: dict | None, element: str) -> list[str]:
    if not concept:
        return []
    codings = concept.get("coding") or []
    if not isinstance(codings, list):
        raise BadRequest(f"Task.{element}.coding must be a list of codings")
    codes = [coding.get("code") for coding in codings if isinstance(coding, dict)]
    return [code for code in codes if isinstance(code, str)] + (
        [concept["text"]] if isinstance(concept.get("text"), str) else []
    )


def referral_target(change: TaskChange) -> tuple[str, str]:
    """(our status, our reason) for a change. FHIR ``on-hold`` needs businessStatus to say which hold."""
    if change.status not in TASK_STATUS_CODES:
        raise BadRequest(f"“{change.status}” is not a FHIR Task status")
    candidates = [
        status
        for status, code in statuses.FHIR_TASK_STATUS.items()
        if code == change.status and status not in (Status.SENT, Status.VIEWED)
    ]
    if not candidates:
        raise Unsupported(f"a referral cannot be moved to the Task status “{change.status}”")
    chosen = [code for code in _codes(change.business_status, "businessStatus") if code in candidates]
    if chosen:
        target = chosen[0]
    elif len(candidates) == 1:
        target = candidates[0]
    else:
        options = " or ".join(str(status.value) for status in candidates)
        raise BadRequest(f"“{change.status}” can mean {options}: say which in businessStatus")
    reasons = _codes(change.status_reason, "statusReason")
    known = [code for code in reasons if code in statuses.Reason.values]
    reason = known[0] if known else (reasons[0] if reasons else "")
    return str(target), reason
