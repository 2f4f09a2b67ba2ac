"""Plans: reading CSV files (as typed or as a spreadsheet saves them), cores, coverage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from regionopt.errors import DataError
from regionopt.plan import Plan, plan_from_labels, read_plan, read_plan_codes
from regionopt.problem import ProblemData

CODES = ("0301", "1001", "1002", "1003")


def small_problem() -> ProblemData:
    return ProblemData(
        codes=CODES, names=("Oslo", "A", "B", "C"), counties=("03", "10", "10", "10"),
        population=np.array([700, 50, 90, 90], dtype="int64"),
        minutes=np.zeros((4, 4)), edges=((1, 2, "border"), (2, 3, "border")),
    )


def write(tmp_path: Path, text: str, name: str = "p.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_core_is_the_most_populous_member_ties_to_lower_code(tmp_path: Path) -> None:
    path = write(tmp_path, "kommunenummer,region\n0301,Oslo\n1001,Nord\n1002,Nord\n1003,Nord\n")
    plan = read_plan(path, problem=small_problem())
    assert plan.cores == {"Nord": "1002", "Oslo": "0301"}
    assert plan.name == "p"
    assert plan.members("Nord") == ("1001", "1002", "1003")


def test_named_core_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "kommunenummer,region,core\n0301,Oslo,0301\n1001,Nord,1001\n"
                           "1002,Nord,1001\n1003,Nord,\n")
    assert read_plan(path, problem=small_problem()).cores["Nord"] == "1001"


def test_spreadsheet_csv_with_semicolons_bom_and_stripped_zeros(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffkommunenummer;region\n301;Oslo\n1001;Nord\n1002;Nord\n"
                           "1003;Nord\n")
    plan = read_plan(path, problem=small_problem())
    assert plan.assignment["0301"] == "Oslo"
    assert read_plan_codes(path) == CODES


def test_core_column_without_its_leading_zero(tmp_path: Path) -> None:
    path = write(tmp_path, "kommunenummer;region;core\n301;Oslo;301\n1001;Nord;1001\n"
                           "1002;Nord;1001\n1003;Nord;1001\n")
    plan = read_plan(path)
    assert plan.cores == {"Nord": "1001", "Oslo": "0301"}
    assert plan.assignment["0301"] == "Oslo"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("code,region\n0301,Oslo\n", "missing column 'kommunenummer'"),
        ("kommunenummer,region\n0301,Oslo\n0301,Oslo\n", "0301 appears more than once"),
        ("kommunenummer,region\n03011,Oslo\n", "'03011' is not a 4-digit code"),
        ("kommunenummer,region\n0301,\n", "0301 has no region"),
        ("kommunenummer,region,core\n1001,N,1001\n1002,N,1002\n", "more than one core"),
    ],
)
def test_bad_plan_files_name_file_and_fault(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=message) as info:
        read_plan(path, problem=small_problem())
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_coverage_errors_name_the_file_and_municipality(tmp_path: Path) -> None:
    unknown = write(tmp_path, "kommunenummer,region\n0301,O\n1001,N\n1002,N\n1003,N\n9999,X\n")
    with pytest.raises(DataError, match=r"p\.csv: .*9999"):
        read_plan(unknown, problem=small_problem())
    missing = write(tmp_path, "kommunenummer,region\n0301,O\n1001,N\n", "q.csv")
    with pytest.raises(DataError, match=r"q\.csv: .*1002 is not assigned"):
        read_plan(missing, problem=small_problem())


def test_folder_is_not_a_plan(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is a folder"):
        read_plan(tmp_path)


def test_plan_value_rules() -> None:
    with pytest.raises(DataError, match="has no core"):
        Plan(assignment={"1001": "N"}, cores={})
    with pytest.raises(DataError, match="not a member"):
        Plan(assignment={"1001": "N", "1002": "S"}, cores={"N": "1002", "S": "1002"})
    plan = plan_from_labels(small_problem(), np.array([0, 2, 2, 2]))
    assert plan.cores == {"B": "1002", "Oslo": "0301"}
    assert plan.renamed("x").name == "x" and plan.renamed("x").assignment == plan.assignment
    assert list(plan.labels(small_problem())) == [0, 2, 2, 2]
