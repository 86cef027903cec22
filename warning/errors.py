"""The service's own errors: one base, a few kinds, and what each front door answers.

Every error the service raises on purpose derives from :class:`ServiceError` through one of
its kinds; the API, the web app and the CLI each map the kind in one place
(:data:`HTTP_STATUS`, :data:`CLI_EXIT`) rather than reading the message.

- :class:`NotFound`: no such item, warning, silence, user, token, delivery (404; exit 2).
- :class:`Refused`: a move the rules forbid or that conflicts with another (409; exit 1).
- :class:`Invalid`: input that cannot be accepted: a file, a setting, a catalog (422; exit 2).
- :class:`Unavailable`: the store cannot be used now (503; exit 2).
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Final


class ErrorKind(StrEnum):
    NOT_FOUND = "not_found"
    REFUSED = "refused"
    INVALID = "invalid"
    UNAVAILABLE = "unavailable"


class ServiceError(Exception):
    """Base of the service's own errors; ``kind`` says how a front door answers."""

    kind: ClassVar[ErrorKind] = ErrorKind.INVALID

    def answer(self) -> dict[str, object]:
        """What an API answer's JSON body says of it."""
        return {"detail": str(self)}


class NotFound(ServiceError, LookupError):
    kind = ErrorKind.NOT_FOUND


class Refused(ServiceError):
    kind = ErrorKind.REFUSED


class Invalid(ServiceError, ValueError):
    kind = ErrorKind.INVALID


class Unavailable(ServiceError):
    kind = ErrorKind.UNAVAILABLE


HTTP_STATUS: Final[dict[ErrorKind, int]] = {
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.REFUSED: 409,
    ErrorKind.INVALID: 422,
    ErrorKind.UNAVAILABLE: 503,
}
CLI_EXIT: Final[dict[ErrorKind, int]] = {
    ErrorKind.NOT_FOUND: 2,
    ErrorKind.REFUSED: 1,
    ErrorKind.INVALID: 2,
    ErrorKind.UNAVAILABLE: 2,
}
