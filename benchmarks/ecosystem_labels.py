"""The labelled precision sample of the ecosystem corpus: ``benchmarks/ecosystem/labels.tsv``.

Each label is one diagnostic (distribution, path, line, code) judged by reading
the code: verdict ``true`` (the diagnostic is right for that project, for a
Keras release it can run) or ``false``, and a one-line reason.

- ``ecosystem.py --sample N --seed S`` draws N diagnostics not labelled yet,
  stratified across codes (every code gets an equal share; a code with fewer
  takes all it has and leaves the rest to the others), into
  ``<out>/sample.tsv`` (the labels' columns, verdict and reason empty) and
  ``<out>/sample.txt`` (each with its message and the lines around it). Fill
  in the verdicts and append the rows to labels.tsv.
- ``ecosystem.py --precision`` joins labels.tsv with the run's diagnostics:
  per code, how many labelled diagnostics still exist, how many are true, the
  precision; and the labels whose diagnostic no longer exists (stale).
"""

from __future__ import annotations

import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

LABELS = Path(__file__).resolve().parent / "ecosystem" / "labels.tsv"
LABEL_HEADER = ("distribution", "path", "line", "code", "verdict", "reason")
DIAG_HEADER = ("distribution", "path", "line", "col", "code", "message")
VERDICTS = ("true", "false")
CONTEXT = 3  # source lines shown around a sampled diagnostic


class Key(NamedTuple):
    dist: str
    path: str
    line: int
    code: str


@dataclass(frozen=True, order=True)
class Diag:
    dist: str
    path: str
    line: int
    code: str
    col: int
    message: str

    @property
    def key(self) -> Key:
        return Key(self.dist, self.path, self.line, self.code)


@dataclass(frozen=True)
class Label:
    key: Key
    verdict: str
    reason: str


def write_diagnostics(path: Path, diags: list[Diag]) -> None:
    rows = ["\t".join(DIAG_HEADER)]
    rows += [f"{d.dist}\t{d.path}\t{d.line}\t{d.col}\t{d.code}\t{d.message}" for d in diags]
    path.write_text("".join(row + "\n" for row in rows))


def read_diagnostics(path: Path) -> list[Diag]:
    diags = []
    for line in path.read_text().splitlines()[1:]:
        dist, file, row, col, code, message = line.split("\t", 5)
        diags.append(Diag(dist, file, int(row), code, int(col), message))
    return diags


def read_labels(path: Path = LABELS) -> list[Label]:
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    if not lines or tuple(lines[0].split("\t")) != LABEL_HEADER:
        sys.exit(f"{path}: the first line must be the header {LABEL_HEADER}")
    labels, seen = [], set()
    for number, line in enumerate(lines[1:], 2):
        fields = line.split("\t")
        if len(fields) != 6 or not fields[2].isdigit() or fields[4] not in VERDICTS or not fields[5].strip():
            sys.exit(f"{path}:{number}: expected distribution, path, line, code, verdict (true/false), reason")
        key = Key(fields[0], fields[1], int(fields[2]), fields[3])
        if key in seen:
            sys.exit(f"{path}:{number}: {key} is labelled twice")
        seen.add(key)
        labels.append(Label(key, fields[4], fields[5].strip()))
    return labels


def allocate(available: dict[str, int], total: int) -> dict[str, int]:
    """An equal share per code; a code with fewer than its share takes all, the rest goes to the others."""
    quota = dict.fromkeys(available, 0)
    left = min(total, sum(available.values()))
    while left > 0:
        open_codes = sorted(c for c in available if quota[c] < available[c])
        share, extra = divmod(left, len(open_codes))
        for index, code in enumerate(open_codes):
            take = min(share + (index < extra), available[code] - quota[code])
            quota[code] += take
            left -= take
    return quota


def _context(root: Path, diag: Diag) -> list[str]:
    try:
        source = (root / diag.path).read_text(errors="replace").splitlines()
    except OSError:
        return ["    (source not found)"]
    first, last = max(1, diag.line - CONTEXT), min(len(source), diag.line + CONTEXT)
    return [f"  {'>' if n == diag.line else ' '}{n:5} {source[n - 1]}" for n in range(first, last + 1)]


def draw(diags: list[Diag], roots: dict[str, Path], total: int, seed: int, out: Path) -> str:
    labelled = {label.key for label in read_labels()}
    by_code: dict[str, list[Key]] = defaultdict(list)
    for key in sorted({d.key for d in diags} - labelled):
        by_code[key.code].append(key)
    quota = allocate({code: len(keys) for code, keys in by_code.items()}, total)
    rng = random.Random(seed)
    drawn = sorted(key for code in sorted(by_code) for key in rng.sample(by_code[code], quota[code]))
    first: dict[Key, Diag] = {}
    for d in diags:
        first.setdefault(d.key, d)
    out.mkdir(parents=True, exist_ok=True)
    rows = ["\t".join(LABEL_HEADER)] + [f"{k.dist}\t{k.path}\t{k.line}\t{k.code}\t\t" for k in drawn]
    (out / "sample.tsv").write_text("".join(row + "\n" for row in rows))
    text = []
    for index, key in enumerate(drawn, 1):
        diag = first[key]
        text += [f"[{index}] {key.dist} {key.path}:{key.line}:{diag.col} {key.code}", f"    {diag.message}",
                 *_context(roots[key.dist], diag), ""]
    (out / "sample.txt").write_text("\n".join(text))
    lines = [f"sample (seed {seed}): {len(drawn)} of {sum(map(len, by_code.values()))} unlabelled diagnostics "
             f"-> {out / 'sample.tsv'} (messages and source: {out / 'sample.txt'})"]
    lines += [f"  {code}: {quota[code]} of {len(by_code[code])}" for code in sorted(by_code)]
    return "\n".join(lines)


def precision(diags: list[Diag], linted: set[str]) -> str:
    labels = [label for label in read_labels() if label.key.dist in linted]
    now = Counter(d.code for d in diags)
    current = {d.key for d in diags}
    live = [label for label in labels if label.key in current]
    stale = [label for label in labels if label.key not in current]
    codes = sorted(set(now) | {label.key.code for label in labels})
    lines = [f"precision of {len(live)} labelled diagnostics ({len(stale)} stale labels) from {LABELS.name}", "",
             "code    now  labelled  true  false  precision  stale"]
    weighted_true = weighted_total = 0.0
    for code in codes:
        mine = [label for label in live if label.key.code == code]
        true = sum(label.verdict == "true" for label in mine)
        ratio = f"{true / len(mine):>9.1%}" if mine else f"{'-':>9}"
        gone = sum(label.key.code == code for label in stale)
        lines.append(f"{code:<6} {now[code]:>4}  {len(mine):>8}  {true:>4}  {len(mine) - true:>5}  {ratio}  {gone:>5}")
        if mine:  # what the sample says about all of this code's diagnostics now
            weighted_true += now[code] * true / len(mine)
            weighted_total += now[code]
    true = sum(label.verdict == "true" for label in live)
    if live:
        lines.append(f"{'all':<6} {sum(now.values()):>4}  {len(live):>8}  {true:>4}  {len(live) - true:>5}  "
                     f"{true / len(live):>9.1%}  {len(stale):>5}")
    if weighted_total:
        lines.append(f"\nestimated precision of all {int(weighted_total)} diagnostics of labelled codes "
                     f"(each code's sample precision weighted by its count now): {weighted_true / weighted_total:.1%}")
    unlabelled = [code for code in codes if now[code] and not any(label.key.code == code for label in live)]
    if unlabelled:
        lines.append(f"codes with diagnostics and no live label: {', '.join(unlabelled)}")
    if stale:
        lines += ["", "stale labels (their diagnostic no longer exists):"]
        lines += [f"  {s.key.dist} {s.key.path}:{s.key.line} {s.key.code} [{s.verdict}] {s.reason}" for s in stale]
    return "\n".join(lines)
