"""Helpers on text columns that may be categorical (as the one-pass CSV reader makes them)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with categorical columns turned back into plain text columns."""
    kinds = {name: object for name in frame if isinstance(frame[name].dtype, pd.CategoricalDtype)}
    return frame.astype(kinds) if kinds else frame


def mask_by_distinct_value(
    column: pd.Series, compute: Callable[[pd.Series], pd.Series]
) -> np.ndarray:
    """A row mask: the yes/no ``compute`` run on the distinct values of ``column`` only, and
    spread back to every row (a million rows name a few thousand distinct values)."""
    codes, distinct = pd.factorize(column, use_na_sentinel=False)
    return np.asarray(compute(pd.Series(distinct, dtype=object)), dtype=bool)[codes]
