"""Figures in messages (regionopt.errors): as people read them, one helper for each kind."""

from __future__ import annotations

import math

import numpy as np
import pytest

from regionopt.errors import figure, gap_percent, whole


@pytest.mark.parametrize(("value", "text"), [
    (23729.0, "23 729"),
    (89909100.60673347, "89 909 101"),
    (np.int64(5550203), "5 550 203"),
    (np.float64(999.5), "1 000"),
    (-1234.4, "-1 234"),
    (0, "0"),
    (None, "n/a"),
    (math.inf, "inf"),
])
def test_whole(value, text):
    assert whole(value) == text


@pytest.mark.parametrize(("gap", "text"), [
    (1.634e-16, "0.00 %"),
    (0.0, "0.00 %"),
    (0.0123456, "1.23 %"),
    (0.25, "25.00 %"),
    (3e-7, "< 0.01 %"),
    (None, "n/a"),
    (math.nan, "n/a"),
])
def test_gap_percent(gap, text):
    assert gap_percent(gap) == text


@pytest.mark.parametrize(("value", "text"), [
    (23729.0, "23 729"),
    (45.0, "45"),
    (0.66666, "0.667"),
    (12.345, "12.3"),
    (150.4, "150"),
])
def test_figure(value, text):
    assert figure(value) == text
