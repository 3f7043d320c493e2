"""Discovers every URL pattern of the project and fills its parameters.

Nothing here lists the project's routes: they come from the URL configuration, includes and DRF routers
included, so a route added tomorrow is walked tomorrow. What the walker cannot classify, it reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern, URLPattern, URLResolver

# A parameter whose name says it carries a signed, secret or one-time value (email links, password reset).
SIGNED_NAME = re.compile(r"token|signature|signed|uidb64|secret|key$", re.IGNORECASE)
FORMAT_NAME = "format"
# Parameters that name a fixed choice rather than an object; the isolation test says which values.
CHOICE_NAMES = {"section", "action"}

ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass
class Parameter:
    name: str
    kind: str  # "identifier", "signed", "format", "choice", "integer", "other"
    segment: str = ""  # the literal path segment before it ("people" in people/<uuid:public_id>/)


@dataclass
class Route:
    pieces: list  # the pattern objects, outermost first
    name: str
    namespaces: list
    callback: object
    parameters: list[Parameter] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        qualified = ":".join([*self.namespaces, self.name]) if self.name else "(unnamed)"
        return f"{qualified} /{self.template}"

    @property
    def template(self) -> str:
        return "".join(_display(piece) for piece in self.pieces)

    @property
    def identifiers(self) -> list[Parameter]:
        return [p for p in self.parameters if p.kind == "identifier"]

    def build(self, values: dict) -> str:
        return "/" + "".join(_fill(piece, values) for piece in self.pieces)


def _display(piece) -> str:
    return str(piece).lstrip("^").rstrip("$").replace("\\Z", "")


def _classify(name: str, converter) -> str:
    if name == FORMAT_NAME:
        return "format"
    if name in CHOICE_NAMES and not isinstance(converter, (UUIDConverter, IntConverter)):
        return "choice"
    if SIGNED_NAME.search(name):
        return "signed"
    if isinstance(converter, UUIDConverter):
        return "identifier"
    if isinstance(converter, IntConverter):
        return "integer"
    if converter is None or isinstance(converter, (StringConverter, SlugConverter, PathConverter)):
        # A regex group (DRF routers: "[^/.]+") or a plain string: it must be a UUID-carrying lookup.
        return "identifier"
    return "other"


def _regex_groups(regex: str) -> list[str]:
    return re.findall(r"\(\?P<([^>]+)>", regex)


def _fill(piece, values: dict) -> str:
    if isinstance(piece, RoutePattern):
        return ROUTE_PARAMETER.sub(lambda match: str(values[match.group("name")]), str(piece._route))
    regex = str(piece._regex)
    out, index = [], 0
    while index < len(regex):
        if regex.startswith("(?P<", index):
            name_end = regex.index(">", index)
            name = regex[index + 4 : name_end]
            depth, cursor = 1, name_end + 1
            while depth:
                if regex[cursor] == "\\":
                    cursor += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[cursor], 0)
                cursor += 1
            out.append(str(values[name]))
            index = cursor
            continue
        char = regex[index]
        if char == "\\" and index + 1 < len(regex):
            out.append(regex[index + 1])
            index += 2
            continue
        if char in "^$":
            index += 1
            continue
        if char == "?" and out and out[-1].endswith("/"):
            index += 1  # an optional trailing slash: keep it
            continue
        out.append(char)
        index += 1
    text = "".join(out).replace("\\Z", "")
    return text


def discover(urlconf=None) -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, pieces, namespaces):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(
                    entry.url_patterns,
                    [*pieces, entry.pattern],
                    [*namespaces, entry.namespace] if entry.namespace else namespaces,
                )
            elif isinstance(entry, URLPattern):
                route = Route(
                    pieces=[*pieces, entry.pattern],
                    name=entry.name or "",
                    namespaces=namespaces,
                    callback=entry.callback,
                )
                for piece in route.pieces:
                    if isinstance(piece, RoutePattern):
                        for name, converter in piece.converters.items():
                            route.parameters.append(Parameter(name, _classify(name, converter)))
                    elif isinstance(piece, RegexPattern):
                        for name in _regex_groups(str(piece._regex)):
                            route.parameters.append(Parameter(name, _classify(name, None)))
                    else:
                        route.problems.append(f"unknown pattern type {type(piece).__name__}")
                template = route.template
                for parameter in route.parameters:
                    found = re.search(
                        rf"(?:<(?:[^>:]+:)?{re.escape(parameter.name)}>|\(\?P<{re.escape(parameter.name)}>)", template
                    )
                    if found:
                        before = [seg for seg in re.split(r"[/\\.]", template[: found.start()]) if seg]
                        parameter.segment = re.sub(r"[^a-z-]", "", before[-1].lower()) if before else ""
                leftover = re.sub(
                    r"\(\?P<[^>]+>", "", "".join(str(p._regex) for p in route.pieces if isinstance(p, RegexPattern))
                )
                if re.search(r"(?<!\\)[*+|\[]|\((?!\?P)", leftover):
                    route.problems.append("regex with unnamed groups or alternatives: cannot build its URL")
                routes.append(route)

    walk(get_resolver(urlconf).url_patterns, [], [])
    return routes
