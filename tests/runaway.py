"""The one time bound for tests that guard against runaway work on hostile input:
exponential regex backtracking, YAML alias bombs, quadratic loops over a megabyte.

Speed targets are benchmarks (tests/bench, figures in docs/BENCHMARKS.md), not tests. The
cases these tests guard against take minutes or never end, while the normal case takes well
under a second on an idle machine; the bound sits far above the second so that a shared
machine under a parallel test load does not fail them, and far below the runaway."""

from __future__ import annotations

RUNAWAY_S = 10.0
