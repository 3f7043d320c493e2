"""CPU time of the PostgreSQL backend serving a benchmark, shared by the benchmarks that report CPU per run."""

from __future__ import annotations

import os
from pathlib import Path


def backend_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the PostgreSQL backend ``pid`` has used, from /proc (same machine only)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
