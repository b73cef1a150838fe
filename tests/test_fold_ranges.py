"""fold_ranges: the one place that turns per-release verdicts into (first, last) ranges (plugin and tools/)."""

import pytest

from flake8_keras_layers.knowledge.versions import fold_ranges, parse

RELEASES = ("3.0.0", "3.0.1", "3.1.0", "3.2.0", "3.10.0")

CASES = [
    # (releases where it holds, expected ranges)
    (set(), ()),
    (set(RELEASES), (("3.0.0", "3.10.0"),)),
    ({"3.1.0"}, (("3.1.0", "3.1.0"),)),
    ({"3.0.0", "3.0.1", "3.2.0", "3.10.0"}, (("3.0.0", "3.0.1"), ("3.2.0", "3.10.0"))),
    ({"3.0.0", "3.1.0", "3.10.0"}, (("3.0.0", "3.0.0"), ("3.1.0", "3.1.0"), ("3.10.0", "3.10.0"))),
    ({"3.0.1", "3.1.0", "3.2.0"}, (("3.0.1", "3.2.0"),)),
]


@pytest.mark.parametrize("holds, expected", CASES)
def test_runs_of_consecutive_releases(holds, expected):
    assert fold_ranges(RELEASES, holds.__contains__) == expected


def test_order_is_the_given_order_not_string_order():
    # "3.10.0" sorts before "3.2.0" as a string; runs follow the list as given
    releases = [parse(v) for v in RELEASES]
    assert fold_ranges(releases, lambda v: v >= (3, 2, 0)) == (((3, 2, 0), (3, 10, 0)),)


def test_no_releases():
    assert fold_ranges([], lambda v: True) == ()
