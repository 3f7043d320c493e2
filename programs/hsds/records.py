"""What the readers hand to the upsert: HSDS 3.0-shaped service records, each with where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """A file and the line a record starts on (None when the whole file is at fault)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file} line {self.line}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    source: Source
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class RecordError(ValueError):
    """A record cannot be imported; nothing of it is written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ServiceRecord:
    """One HSDS service in the shape of HSDS 3.0 JSON (nested organization, locations, phones, ...)."""

    data: dict
    source: Source


@dataclass
class OrganizationRecord:
    data: dict
    source: Source


@dataclass
class Reading:
    """Everything the readers found in one path: records in file order, and the rows they had to refuse."""

    services: list[ServiceRecord] = field(default_factory=list)
    organizations: list[OrganizationRecord] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def reject(self, source: Source, message: str) -> None:
        self.rejected.append(Problem(source, message))

    def warn(self, source: Source, message: str) -> None:
        self.warnings.append(Problem(source, message))


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    organizations_created: int = 0
    organizations_updated: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.rejected)} rejected"
        )
