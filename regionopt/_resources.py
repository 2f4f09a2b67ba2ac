"""Where the project's own tables (``data/geo``) live once installed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from regionopt.errors import DataError

GEO_DIR_ENV = "REGIONOPT_GEO_DIR"


def geo_dir() -> Path:
    """Return the folder holding ferries, reference plans and scenarios.

    Looked for, in order: ``$REGIONOPT_GEO_DIR``; ``data/geo`` beside the
    package (a source checkout or editable install); ``share/regionopt/geo``
    under the interpreter prefix (a regular install).

    Raises
    ------
    DataError
        If none of these exists.
    """
    candidates = []
    if os.environ.get(GEO_DIR_ENV):
        candidates.append(Path(os.environ[GEO_DIR_ENV]))
    candidates.append(Path(__file__).resolve().parent.parent / "data" / "geo")
    candidates.append(Path(sys.prefix) / "share" / "regionopt" / "geo")
    for path in candidates:
        if (path / "ferries.csv").is_file():
            return path
    raise DataError(
        "cannot find regionopt's tables (data/geo/ferries.csv); looked in "
        + ", ".join(str(p) for p in candidates)
    )


def geo_file(*parts: str) -> Path:
    """Return the path of a file under :func:`geo_dir`.

    Raises
    ------
    DataError
        If the file does not exist.
    """
    path = geo_dir().joinpath(*parts)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    return path
