"""Exceptions a user can cause; the CLI turns each into one line on stderr and exit code 2."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class CorridorError(Exception):
    """Base class of every error a user of corridor can cause."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a data file.

    Attributes
    ----------
    file : str
        File name (``nodes.geojson``, ``services.csv`` ...).
    key : str
        Feature id, row number or key path that has the problem.
    field : str
        Field (column, property) concerned; ``""`` for whole-feature problems.
    message : str
        What is wrong and what was expected.
    """

    file: str
    key: str
    field: str
    message: str

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.key, self.field) if part)
        return f"{where}: {self.message}"


class DataError(CorridorError):
    """Invalid input data; carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = str(self.problems[0]) if self.problems else "invalid data"
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        super().__init__(head + more)


def expected_one_of(value: str, choices: Iterable[str]) -> str:
    """``"expected one of a, b, c"`` and, when one choice is close to ``value``, ``"; did you mean 'b'?"``."""
    choices = list(choices)
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"expected one of {', '.join(choices)}{hint}"


class UnknownPlaceError(CorridorError, KeyError):
    """A place name that matches no node id, name or alias."""

    def __init__(self, name: str, suggestions: Sequence[str]):
        self.name = name
        self.suggestions = list(suggestions)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown place {name!r}{hint}")

    def __str__(self) -> str:
        return self.args[0]


class NoRouteError(CorridorError):
    """No route satisfies the request (constraints too tight, or places not connected)."""


class ReadOnlyError(CorridorError, TypeError):
    """A write to a network's tables, which are read-only so that derived results never go stale."""
