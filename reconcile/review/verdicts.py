"""The review file: a fact-checker's verdicts, read and checked.

One row per verdict (CSV, any of the delimiters the claims reader sniffs):

- ``target``: a claim id, an event id or a source name; ``claim:ID``,
  ``event:ID`` or ``source:NAME`` when a bare name could be two of them.
- ``verdict``: ``exclude``, ``trust``, ``distrust``, ``merge-with EVENT_ID``
  (or a claim id: the event that claim is in), ``split``, ``set-figure
  FIGURE`` (a figure as in claims: ``31``, ``at least 29``), ``note``. A
  blank verdict is a row not yet reviewed (what ``review-template``
  writes): it is skipped.
- ``reviewer``, ``reason``, ``date`` (ISO): who, why and when; shown
  wherever the verdict is.
- ``claims`` (optional): the claim ids an event target held when it was
  reviewed, so that the verdict follows the event when its id changes (a
  re-run on more claims can give an event a new id; its claims keep theirs).

Every problem in the file is reported at once, each with its line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..io.records import decode_text, normalise_header, sniff_delimiter

__all__ = ["KINDS", "REVIEW_VERDICTS", "ReviewError", "Verdict", "read_review"]

REVIEW_VERDICTS = ("exclude", "trust", "distrust", "merge-with", "split", "set-figure", "note")
KINDS = ("claim", "event", "source")
# Which verdict may name which kind of target.
ALLOWED = {
    "exclude": ("claim", "event", "source"),
    "trust": ("source",),
    "distrust": ("source",),
    "merge-with": ("claim", "event"),
    "split": ("claim", "event"),
    "set-figure": ("claim", "event"),
    "note": ("claim", "event", "source"),
}
COLUMNS = ("target", "verdict", "reviewer", "reason", "date", "claims")


def _line_of(problem: str) -> float:
    """The line a problem names ("review.csv:4: date: ..."); problems naming none go last."""
    found = re.search(r":(\d+): ", problem)
    return int(found.group(1)) if found else math.inf


class ReviewError(InputError):
    """A review file with problems; ``problems`` lists every one, with its line."""

    def __init__(self, file: str, problems: list[str]) -> None:
        # in the order of the file's lines, whichever stage found them
        self.problems = sorted(problems, key=_line_of)
        head = f"{len(problems)} problem(s) in the review file"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems), file=file)


@dataclass(frozen=True)
class Verdict:
    """One row of the review file, parsed (not yet matched against a run)."""

    line: int
    target: str
    kind: str | None  # claim / event / source when the target says so ("claim:ID")
    action: str
    argument: str
    reviewer: str
    reason: str
    date: str
    claims: tuple[str, ...]

    @property
    def label(self) -> str:
        """How the verdict reads in a report: ``set-figure 31 by Ana, 2025-03-05: reason``."""
        what = f"{self.action} {self.argument}".strip()
        who = ", ".join(p for p in (self.reviewer, self.date) if p)
        return f"{what}{' by ' + who if who else ''}{': ' + self.reason if self.reason else ''}"


def _split_target(text: str) -> tuple[str | None, str]:
    head, sep, rest = text.partition(":")
    if sep and head.strip().lower() in KINDS and rest.strip():
        return head.strip().lower(), rest.strip()
    return None, text.strip()


def parse_verdict_text(text: str) -> tuple[str, str] | str:
    """(action, argument) from a verdict cell, or the reason it is not one.

    >>> parse_verdict_text("merge-with e12"), parse_verdict_text("Set-figure at least 29")
    (('merge-with', 'e12'), ('set-figure', 'at least 29'))
    >>> parse_verdict_text("delete")[:40]
    "unknown verdict 'delete'; one of: exclud"
    """
    words = text.strip().split(None, 1)
    action = words[0].lower().rstrip(":") if words else ""
    argument = words[1].strip() if len(words) > 1 else ""
    if action not in REVIEW_VERDICTS:
        return (f"unknown verdict {text.strip()!r}; one of: exclude, trust, distrust, "
                "merge-with EVENT_ID, split, set-figure FIGURE, note")
    if action in ("merge-with", "set-figure") and not argument:
        what = "an event id (or a claim id)" if action == "merge-with" else "a figure"
        return f"{action} needs {what} after it"
    if action not in ("merge-with", "set-figure") and argument:
        return f"{action} takes nothing after it (got {argument!r}); put words in the reason"
    return action, argument


def read_review(path: str | Path, problems: list[str] | None = None) -> tuple[Verdict, ...]:
    """The verdicts of a review file that read well.

    Every syntax problem is raised at once (:class:`ReviewError`), or, when
    a ``problems`` list is given, added to it: ``reconcile run`` collects
    them with the problems of matching targets against the run's claims,
    events and sources (:mod:`.apply`) and reports them all together.
    """
    collect = problems is not None
    name = str(path)
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file" if not p.exists() else "is not a file", file=name)
    text, _ = decode_text(p.read_bytes(), name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    header = normalise_header(next(reader, []))
    missing = [c for c in ("target", "verdict") if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; a review file has "
                         "target, verdict, reviewer, reason, date", file=name)
    problems = problems if problems is not None else []
    out: list[Verdict] = []
    rows: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    for values in reader:
        rows.append((start, dict(zip(header, values, strict=False))))
        start = reader.line_num + 1
    for line, row in rows:
        cell = {c: str(row.get(c, "") or "").strip() for c in COLUMNS}
        if not cell["verdict"]:
            continue  # not yet reviewed
        if not cell["target"]:
            problems.append(f"{name}:{line}: target: empty; give a claim id, an event id "
                            "or a source")
            continue
        parsed = parse_verdict_text(cell["verdict"])
        if isinstance(parsed, str):
            problems.append(f"{name}:{line}: verdict: {parsed}")
            continue
        if cell["date"]:
            try:
                dt.date.fromisoformat(cell["date"][:10])
            except ValueError:
                problems.append(f"{name}:{line}: date: {cell['date']!r} is not an ISO date "
                                "(YYYY-MM-DD)")
                continue
        kind, target = _split_target(cell["target"])
        action, argument = parsed
        if kind is not None and kind not in ALLOWED[action]:
            problems.append(f"{name}:{line}: verdict: {action} cannot name a {kind} "
                            f"(it names a {' or '.join(ALLOWED[action])})")
            continue
        claims = tuple(c.strip() for c in cell["claims"].replace(",", ";").split(";")
                       if c.strip())
        out.append(Verdict(line, target, kind, action, argument, cell["reviewer"],
                           cell["reason"], cell["date"], claims))
    if problems and not collect:
        raise ReviewError(name, problems)
    return tuple(out)
