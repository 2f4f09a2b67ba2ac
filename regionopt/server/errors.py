"""The one error a request can cause: :class:`RequestError`, one line and an HTTP status."""

from __future__ import annotations

from regionopt.errors import RegionoptError


class RequestError(RegionoptError, ValueError):
    """A request the server refuses: one line naming the field at fault, and its status.

    Parameters
    ----------
    message
        One line, naming the field (``locks[0].code: unknown municipality 9999``).
    status
        The HTTP status (400 by default; 403, 404, 409, 413, 422, 429).
    """

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


__all__ = ["RequestError"]
