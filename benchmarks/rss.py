"""This process's memory, for the memory benchmarks: resident now, and its peak so far."""

from __future__ import annotations

import resource


def peak_mb() -> float:
    """The peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_mb() -> float:
    """The resident set size now, in MB (0 where /proc is missing)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0
