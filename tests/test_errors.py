"""The service's errors share one base and say their kind; front doors map kinds, not text."""

from __future__ import annotations

import pytest

from warning.accounts.service import AccountError, AccountNotFound
from warning.catalog.definitions import CatalogError
from warning.directory.rows import DirectoryFileError
from warning.errors import CLI_EXIT, HTTP_STATUS, ErrorKind, ServiceError
from warning.feeding.suspects import SuspectNotFound
from warning.review.lifecycle import InvalidMove, ItemNotFound
from warning.settings import SettingsError
from warning.store.errors import StoreError


@pytest.mark.parametrize(
    ("error", "kind", "status", "exit_code"),
    [
        (ItemNotFound("no review item 7"), ErrorKind.NOT_FOUND, 404, 2),
        (SuspectNotFound("no suspect value 7"), ErrorKind.NOT_FOUND, 404, 2),
        (AccountNotFound("no user 'x'"), ErrorKind.NOT_FOUND, 404, 2),
        (InvalidMove(7, "decided already"), ErrorKind.REFUSED, 409, 1),
        (AccountError("user 'x' exists already"), ErrorKind.REFUSED, 409, 1),
        (CatalogError("catalog.yaml: bad"), ErrorKind.INVALID, 422, 2),
        (DirectoryFileError("line 2: bad"), ErrorKind.INVALID, 422, 2),
        (SettingsError("WARNING_X: bad"), ErrorKind.INVALID, 422, 2),
        (StoreError("database locked"), ErrorKind.UNAVAILABLE, 503, 2),
    ],
)
def test_each_error_has_its_kind_and_answer(
    error: ServiceError, kind: ErrorKind, status: int, exit_code: int
) -> None:
    assert isinstance(error, ServiceError)
    assert error.kind is kind
    assert HTTP_STATUS[error.kind] == status and CLI_EXIT[error.kind] == exit_code


def test_a_refused_move_answers_with_its_reason_and_item() -> None:
    assert InvalidMove(7, "decided already").answer() == {"detail": "decided already", "item": 7}
    assert ItemNotFound("no review item 7").answer() == {"detail": "no review item 7"}


def test_every_kind_has_an_answer_at_every_front_door() -> None:
    assert set(HTTP_STATUS) == set(ErrorKind) == set(CLI_EXIT)
