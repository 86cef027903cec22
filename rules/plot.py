"""One PNG per material: its series over time with the warning level shaded (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rules.reasons import Names
from vocabulary import INDICATOR_KINDS

LEVEL_COLOURS = {"blue": "#5b9bd5", "yellow": "#f2c14e", "red": "#d9534f", "no_data": "#bbbbbb"}


def plot_material(
    material: str,
    observations: pd.DataFrame,
    levels: pd.DataFrame,
    out_dir: Path,
    *,
    names: Names | None = None,
) -> Path:
    """Write ``<out_dir>/<material>.png`` and return its path.

    ``observations`` is the long frame (only this material's rows are used), ``levels`` the
    backtest output (``material, period, level, direction``). Price series go in the top
    panel, other indicators below; down warnings are hatched.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    obs = observations[observations["material"] == material]
    lv = levels[levels["material"] == material].sort_values("period")
    kinds = [k for k in INDICATOR_KINDS if (obs["indicator"] == k).any()] or ["price"]
    fig, axes = plt.subplots(
        len(kinds), 1, figsize=(12, 2.6 + 1.8 * len(kinds)), sharex=True, squeeze=False
    )
    for ax, kind in zip(axes[:, 0], kinds, strict=True):
        for sid, g in obs[obs["indicator"] == kind].groupby("series_id", observed=True):
            g = g.sort_values("period")
            ax.plot(
                pd.to_datetime(g["period"]),
                g["value"],
                lw=0.9,
                label=f"{sid} ({g['unit'].iloc[0] if 'unit' in g else ''})",
            )
        _shade(ax, lv)
        ax.set_ylabel(kind)
        ax.legend(loc="upper left", fontsize=7)
    _zh, en = (names or {}).get(material, (material, material))
    axes[0, 0].set_title(f"{en} — warning levels (shaded; hatched = down)")
    fig.tight_layout()
    path = out_dir / f"{material}.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _shade(ax: plt.Axes, lv: pd.DataFrame) -> None:
    if lv.empty:
        return
    x = pd.to_datetime(lv["period"]).to_numpy()
    level = lv["level"].to_numpy()
    down = (lv["direction"] == "down").to_numpy()
    trans = ax.get_xaxis_transform()
    for name, colour in LEVEL_COLOURS.items():
        for is_down in (False, True):
            where = (level == name) & (down == is_down)
            if not where.any():
                continue
            ax.fill_between(
                x,
                0,
                1,
                where=where,
                step="post",
                color=colour,
                alpha=0.35,
                transform=trans,
                hatch="//" if is_down else None,
                lw=0,
                label=None,
            )
    ax.set_xlim(pd.Timestamp(np.min(x)), pd.Timestamp(np.max(x)))  # type: ignore[arg-type]
