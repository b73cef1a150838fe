"""How much work the analysis may spend on one class (or one module rule) before giving up on it.

Inference can explode on legal code (a deep hierarchy, thousands of
assignments or branches): a class that runs out of budget reports nothing,
and the file's other classes are still checked. Two limits:

- steps, counted where the shared helpers loop (each inference, each
  scope walk, each pair of calls compared): deterministic, so a run gives
  the same output on any machine and with any ``-j``;
- CPU seconds of this process (``clock()``), a safety net for a step that
  is slow in itself. Generous, because it is not deterministic: the first
  file that infers through a large installed module pays for parsing it
  (seconds), and which file that is depends on the order of the files and
  on ``-j``. Real code stays far below both limits (budget of steps: p99
  5k, max 10.5k on the keras, keras-hub and tf-keras wheels).

``spend()`` is a no-op outside ``limit()``: helpers may call it anywhere.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

STEPS_PER_CLASS = 100_000
SECONDS_PER_CLASS = 15.0
# CPU time, not wall time: other processes on the machine (or flake8's other jobs) do not count.
clock = time.process_time
_CLOCK_EVERY = 16  # steps between clock reads


class BudgetExceeded(Exception):
    """The current class (or module rule) has used up its budget; it reports nothing."""


class Budget:
    __slots__ = ("steps_left", "deadline", "until_clock", "exhausted")

    def __init__(self, steps: int, deadline: float):
        self.steps_left = steps
        self.deadline = deadline
        self.until_clock = _CLOCK_EVERY
        # Why it ran out ("steps" or "time"; "" while it has not), set even if some code caught the
        # exception and went on: the enclosed work's results are then discarded.
        self.exhausted = ""


_current: Budget | None = None


def spend(steps: int = 1) -> None:
    """Account for ``steps`` units of work; raises BudgetExceeded when the budget is gone."""
    budget = _current
    if budget is None:
        return
    budget.steps_left -= steps
    if budget.steps_left < 0:
        budget.exhausted = "steps"
        raise BudgetExceeded("steps")
    budget.until_clock -= steps
    if budget.until_clock <= 0:
        budget.until_clock = _CLOCK_EVERY
        if clock() > budget.deadline:
            budget.exhausted = "time"
            raise BudgetExceeded("time")


@contextmanager
def limit(steps: int | None = None, seconds: float | None = None,
          deadline: float | None = None) -> Iterator[Budget]:
    """A fresh budget for the enclosed work (default: one class's); ``deadline`` (a ``clock()`` time) caps it."""
    global _current
    steps = STEPS_PER_CLASS if steps is None else steps
    end = clock() + (SECONDS_PER_CLASS if seconds is None else seconds)
    if deadline is not None:
        end = min(end, deadline)
    previous, _current = _current, Budget(steps, end)
    try:
        yield _current
    finally:
        _current = previous
