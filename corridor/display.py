"""How results show in a notebook: short ``__repr__`` text and compact ``_repr_html_`` tables.

Results keep their full data in their frames; these helpers render a few headline figures and the
first rows of a table. Every value is HTML-escaped. Nothing here imports folium or geopandas.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

#: rows of a table shown in a notebook before "… N more"
MAX_ROWS = 10


def number(value: Any, digits: int = 1) -> str:
    """A number as text with thousands separators, '–' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def card(title: str, facts: Iterable[tuple[str, Any]], tables: Sequence[str] = ()) -> str:
    """An HTML block: a title, a key/value table of ``facts`` and any already-built ``tables``."""
    rows = "".join(
        f"<tr><th style='text-align:left;padding-right:10px'>{html.escape(str(k))}</th>"
        f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
        for k, v in facts
    )
    return (f"<div class='corridor-repr'><b>{html.escape(title)}</b>"
            f"<table style='font-size:12px'>{rows}</table>{''.join(tables)}</div>")


def table(frame: pd.DataFrame | None, columns: Sequence[str], caption: str = "",
          digits: int = 1, max_rows: int = MAX_ROWS) -> str:
    """The first ``max_rows`` rows of ``frame[columns]`` (those present) as an HTML table."""
    if frame is None or frame.empty:
        return ""
    present = [c for c in columns if c in frame.columns]
    head = "".join(f"<th style='text-align:left;padding:1px 5px'>{html.escape(c)}</th>"
                   for c in present)
    body = []
    for record in frame[present].head(max_rows).to_dict(orient="records"):
        cells = "".join(f"<td style='padding:1px 5px'>{html.escape(_cell(record[c], digits))}</td>"
                        for c in present)
        body.append(f"<tr>{cells}</tr>")
    more = len(frame) - max_rows
    tail = (f"<tr><td colspan='{len(present)}'>… {more:,} more rows</td></tr>" if more > 0 else "")
    title = f"<caption style='text-align:left'>{html.escape(caption)}</caption>" if caption else ""
    return (f"<table style='font-size:11px;border-collapse:collapse'>{title}<thead><tr>{head}"
            f"</tr></thead><tbody>{''.join(body)}{tail}</tbody></table>")


def short(name: str, facts: Iterable[tuple[str, Any]]) -> str:
    """``Name(key=value, …)`` on one line."""
    return f"{name}(" + ", ".join(f"{k}={v}" for k, v in facts) + ")"


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, list | tuple):
        return " → ".join(str(v) for v in value) if len(value) <= 6 else (
            f"{value[0]} → … → {value[-1]} ({len(value)})")
    if isinstance(value, float | int) and not isinstance(value, bool):
        return number(float(value) if isinstance(value, float) else value, digits)
    return number(value)
