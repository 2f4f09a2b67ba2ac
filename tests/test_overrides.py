"""regionopt.overrides: the one value grammar of ``--set`` and ``--vary``, through both flags.

Every kind of value (integer, float, boolean, none, quoted and bare text, arrays) is read the
same by ``--set`` (regionopt.cli.common.overrides) and by ``--vary``
(regionopt.sweep.cases.parse_vary), written back unchanged by format_value, and reaches a real
sweep's scenarios and table.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from regionopt.cli import build_parser, main
from regionopt.cli.common import overrides
from regionopt.overrides import format_value, parse_value, split_values
from regionopt.sweep import parse_vary

#: (as typed, the value both flags read) for every kind of value.
KINDS = [
    ("12", 12),
    ("5_000", 5000),
    ("+3", 3),
    ("-7", -7),
    ("0.5", 0.5),
    ("1e4", 10000.0),
    ("inf", math.inf),
    ("true", True),
    ("False", False),
    ("TRUE", True),
    ("none", None),
    ("Null", None),
    ("highs", "highs"),  # bare text
    ("Alta og omegn", "Alta og omegn"),
    ('"highs"', "highs"),  # quoted text
    ("'5501'", "5501"),  # quoted: text though it looks like a number
    ('"none"', "none"),  # quoted: the text none, not no value
    ('"12"', "12"),
    ("0301", "0301"),  # TOML refuses leading zeros: text, not 301
    ("2024-01-01", "2024-01-01"),  # a TOML date is no scenario value: text
    ("{a = 1}", "{a = 1}"),  # a TOML table neither
    ('["5501", "5502"]', ("5501", "5502")),
    ('[["5501", "5502"], ["5503", "5504"]]', (("5501", "5502"), ("5503", "5504"))),
    ("[]", ()),
    ("[1, 2.5]", (1, 2.5)),
]


def _set(text: str) -> object:
    args = build_parser().parse_args(["solve", "--set", f"regions.count={text}"])
    return overrides(args)["regions.count"]


@pytest.mark.parametrize(("text", "value"), KINDS)
def test_set_and_vary_read_every_kind_alike(text: str, value: object) -> None:
    got = [parse_value(text), _set(text), parse_vary(f"regions.count={text}")[1][0]]
    for g in got:
        assert g == value and type(g) is type(value), (text, got)


@pytest.mark.parametrize(("text", "value"), KINDS)
def test_format_value_reads_back_unchanged(text: str, value: object) -> None:
    again = parse_value(format_value(value))  # type: ignore[arg-type]
    assert again == value and type(again) is type(value)
    assert parse_vary(f"x.y={format_value(value)}")[1] == (value,)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["a,b", 'say "hi"', "[x", " padded", "none", "true", "1.5",
                                   "", "Troms og Finnmark"])
def test_text_that_would_read_otherwise_is_quoted(value: str) -> None:
    assert parse_value(format_value(value)) == value
    assert split_values(format_value(value)) == [format_value(value)]


def test_vary_lists_split_outside_quotes_and_brackets() -> None:
    assert split_values('["5501", "5502"], [], "a,b", c') == ['["5501", "5502"]', "[]",
                                                              '"a,b"', "c"]
    key, values = parse_vary('constraints.fixed_cores=["5501"],["5502", "5503"],[],none')
    assert key == "constraints.fixed_cores"
    assert values == (("5501",), ("5502", "5503"), (), None)
    assert parse_vary('solver.name=cbc,"highs"')[1] == ("cbc", "highs")
    assert parse_vary("objective.balance=0..0.3:0.1")[1] == (0.0, 0.1, 0.2, 0.3)


@pytest.mark.parametrize(("text", "shown"), [("1.5", "got 1.5"), ("many", 'got "many"'),
                                             ('"12"', 'got "12"'), ("true", "got true"),
                                             ("[12]", "got [12]"), ("inf", "got inf")])
def test_a_rejected_value_reads_the_same_through_both_flags(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, shown: str) -> None:
    """The error names the value as both flags read it, before any network is built."""
    assert main(["solve", "--set", f"regions.count={text}", "--out", str(tmp_path / "s"),
                 "--quiet"]) == 2
    by_set = capsys.readouterr().err
    assert main(["sweep", "--vary", f"regions.count=8,{text}", "--out", str(tmp_path / "w"),
                 "--quiet"]) == 2
    by_vary = capsys.readouterr().err
    for err in (by_set, by_vary):
        assert err.count("\n") == 1 and "regions.count must be" in err and shown in err, err
    assert not (tmp_path / "s").exists() and not (tmp_path / "w").exists()


def test_every_kind_reaches_a_real_sweep(tmp_path: Path, data_dir: Path) -> None:
    """Three municipalities of Finnmark: arrays, none, booleans in any case, numbers and
    quoted and bare text through --set and --vary end in each case's scenario.toml."""
    out = tmp_path / "sw"
    assert main(["sweep", "--quiet", "--workers", "1", "--out", str(out),
                 "--set", 'name="tiny"', "--set", "area.counties=[]",
                 "--set", 'area.municipalities=["5601", "5603", "5607"]',
                 "--set", "constraints.must_link=[]", "--set", "regions.count=none",
                 "--set", "constraints.contiguity=TRUE", "--set", "solver.name=highs",
                 "--set", "objective.balance=0.5",
                 "--vary", 'constraints.fixed_cores=["5601"],[]',
                 "--vary", "constraints.max_travel_minutes=none,1e3",
                 "--vary", "constraints.core_is_largest=False"]) == 0
    table = pd.read_csv(out / "sweep.csv", dtype=str, keep_default_na=False)
    assert list(table["constraints.fixed_cores"]) == ['["5601"]', '["5601"]', "[]", "[]"]
    assert list(table["constraints.max_travel_minutes"]) == ["", "1000.0", "", "1000.0"]
    assert set(table["status"]) == {"optimal"}, table["reason"].tolist()
    for case, fixed, limit in zip(table["id"], (["5601"], ["5601"], [], []),
                                  (None, 1000.0, None, 1000.0), strict=True):
        s = tomllib.loads((out / "plans" / case / "scenario.toml").read_text(encoding="utf-8"))
        assert s["name"].startswith("tiny")
        assert s["area"]["municipalities"] == ["5601", "5603", "5607"]
        assert s["area"]["counties"] == [] and s["constraints"]["must_link"] == []
        assert "count" not in s["regions"] and s["constraints"]["contiguity"] is True
        assert s["solver"]["name"] == "highs" and s["objective"]["balance"] == 0.5
        assert s["constraints"]["fixed_cores"] == fixed
        assert s["constraints"].get("max_travel_minutes") == limit
        assert s["constraints"]["core_is_largest"] is False
