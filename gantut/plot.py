"""Figures of the book: image grids, loss curves, 1D densities, animations.

Every function returns its matplotlib Figure (and draws into ax= when given one), so a
notebook can show it, save it, or add to it.
"""
from __future__ import annotations

import itertools
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from torchvision.utils import make_grid

from .data import check_images  # noqa: F401  (plot.check_images: the same check)
from .utils import is_whole

COLORS = {"data": "#2a6fb0", "generator": "#d9541e", "discriminator": "#2e8b57", "other": "#7a5195"}
plt.rcParams.update({
    "figure.dpi": 100, "savefig.dpi": 100, "axes.grid": True, "grid.alpha": 0.3,
    "axes.spines.top": False, "axes.spines.right": False, "figure.autolayout": True,
})


def _figure(ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    return ax.figure, ax


def image_grid(images: torch.Tensor, nrow: int = 8, title: str | None = None, ax=None,
               value_range: tuple[float, float] = (-1.0, 1.0), figsize=None):
    """Show a batch of images (N, C, H, W) in value_range as one grid with nrow images a row."""
    if not is_whole(nrow):
        raise ValueError(f"nrow must be a whole number of images per row >= 1, got {nrow!r}")
    images = check_images(images, value_range).detach().float().cpu()
    lo, hi = value_range
    # torchvision's grid: 2-pixel white borders, grey images repeated into 3 channels -> (3, H', W')
    canvas = make_grid(((images - lo) / (hi - lo)).clamp(0, 1), nrow=nrow, padding=2, pad_value=1.0)
    canvas = canvas.expand(3, -1, -1) if canvas.shape[0] == 1 else canvas   # one grey image comes back as it is
    ncol = min(nrow, len(images))
    nrows = -(-len(images) // ncol)
    if figsize is None:
        figsize = (min(1.0 * ncol, 12), min(1.0 * nrows, 12) + (0.4 if title else 0))
    fig, ax = _figure(ax, figsize)
    ax.imshow(canvas.permute(1, 2, 0).numpy(), interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return fig


def smooth(values: Sequence[float], window: int) -> np.ndarray:
    """Moving average over window steps (the first window-1 values average what exists)."""
    if not is_whole(window, 0):
        raise ValueError(f"window must be a whole number of steps >= 0 (0 and 1: no smoothing), got {window!r}")
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"values must be one series (1D), got shape {values.shape}")
    if window <= 1 or len(values) == 0:
        return values
    cumsum = np.concatenate([[0.0], np.cumsum(values)])
    end = np.arange(1, len(values) + 1)
    start = np.maximum(end - window, 0)
    return (cumsum[end] - cumsum[start]) / (end - start)


def curves(history: Mapping[str, Sequence[float]], keys: Sequence[str] | None = None, window: int = 1,
           xlabel: str = "training step", ylabel: str = "value", title: str | None = None,
           hlines: Mapping[str, float] | None = None, ax=None, figsize=(7, 3.5)):
    """Plot history[key] against the step for each key (smoothed over window steps).

    hlines: reference levels drawn in black, dashed, dotted, dash-dotted in turn, e.g. {"equilibrium D = 1/2": 0.5}.
    """
    keys = list(keys) if keys is not None else list(history)
    missing = [k for k in keys if k not in history]
    if missing:
        raise KeyError(f"no {missing} in the history; it has {list(history)}")
    fig, ax = _figure(ax, figsize)
    for key in keys:
        ax.plot(np.arange(len(history[key])), smooth(history[key], window), label=key, lw=1.4)
    for (label, level), style in zip((hlines or {}).items(), itertools.cycle(("--", ":", "-."))):
        ax.axhline(level, ls=style, color="k", lw=1, label=label)   # one line style per reference level
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    return fig


def density_1d(x, densities: Mapping[str, Sequence[float]], samples: Mapping[str, Sequence[float]] | None = None,
               discriminator: Sequence[float] | None = None, title: str | None = None,
               xlabel: str = "x", ax=None, figsize=(7, 3.5), bins: int = 60,
               xlim: tuple[float, float] | None = None):
    """Densities on a grid x (lines), optional sample histograms, optional D(x) on a right axis.

    xlim: the x range shown (and binned for the histograms); default: the whole grid.
    """
    as_array = lambda v: v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else v  # figures from CPU copies
    x, discriminator = as_array(x), as_array(discriminator)
    densities = {label: as_array(v) for label, v in densities.items()}
    samples = {label: as_array(v) for label, v in (samples or {}).items()}
    xlim = xlim if xlim is not None else (float(np.min(x)), float(np.max(x)))
    fig, ax = _figure(ax, figsize)
    if bins < 1 or xlim[0] >= xlim[1]:
        raise ValueError(f"need bins >= 1 and xlim = (low, high) with low < high, got bins={bins}, xlim={xlim}")
    palette = itertools.cycle([COLORS["data"], COLORS["generator"], COLORS["other"], "#555555"])
    for label, values in densities.items():
        color = next(palette)
        ax.plot(x, values, lw=2, color=color, label=label)
        ax.fill_between(x, values, alpha=0.12, color=color)
    for label, values in (samples or {}).items():
        values = np.asarray(values).ravel()
        inside = values[(values >= xlim[0]) & (values <= xlim[1])]
        # weights keep the histogram a density of *all* samples, not only of those inside xlim
        ax.hist(inside, bins=bins, range=xlim, alpha=0.35, label=label,
                weights=np.full(len(inside), bins / ((xlim[1] - xlim[0]) * max(len(values), 1))))
    ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    handles, labels = ax.get_legend_handles_labels()
    if discriminator is not None:
        ax2 = ax.twinx()
        ax2.plot(x, discriminator, color=COLORS["discriminator"], lw=2, ls="--", label="D(x)")
        ax2.set_ylim(-0.02, 1.02)
        ax2.set_ylabel("D(x)", color=COLORS["discriminator"])
        ax2.grid(False)
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, frameon=False, loc="upper left")
    if title:
        ax.set_title(title)
    return fig


def animation_html(movie, default_mode: str = "once") -> str:
    """HTML (with embedded frames) that plays a matplotlib FuncAnimation in a notebook and in the book.

    matplotlib's to_jshtml links Font Awesome 4 from a CDN for its buttons; the link is removed
    so the page works offline (the book's theme ships Font Awesome, which draws the same icons).
    """
    import re

    html = movie.to_jshtml(default_mode=default_mode)
    return re.sub(r'<link[^>]*font-awesome[^>]*>', "", html)
