"""The response-time picture: a histogram on a logarithmic time axis with the NsApiSlow threshold
drawn across it. Only geometry is computed here; templates/chart.svg.j2 draws it.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 40
BINS_PER_DECADE = 5


@dataclass(frozen=True)
class Bar:
    """One bin; its slow part (responses over the threshold, which may fall inside a bin) is
    stacked on top, so the picture never hides a slow response in a fast-looking bar."""

    x: float
    y: float
    width: float
    height: float
    count: int
    low_ms: float
    high_ms: float
    slow_count: int
    slow_height: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    threshold_x: float
    threshold_ms: float
    peak: int
    count: int
    median_ms: float
    p95_ms: float
    max_ms: float
    over: int


def _label(ms: float) -> str:
    return f"{ms / 1000:g} s" if ms >= 1000 else f"{ms:g} ms"


def response_chart(times_ms: list[float], threshold_ms: float) -> Chart | None:
    """None when no response was timed: the report says so instead of drawing an empty axis."""
    if not times_ms:
        return None
    floor = max(min(times_ms), 0.1)
    low = math.floor(math.log10(floor))
    high = max(math.ceil(math.log10(max(max(times_ms), threshold_ms) * 1.0001)), low + 1)
    bins = (high - low) * BINS_PER_DECADE
    counts, slow = [0] * bins, [0] * bins
    for ms in times_ms:
        index = min(max(int((math.log10(max(ms, floor)) - low) * BINS_PER_DECADE), 0), bins - 1)
        counts[index] += 1
        slow[index] += ms > threshold_ms
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max(counts)

    def x_of(ms: float) -> float:
        return LEFT + (math.log10(ms) - low) / (high - low) * plot_w

    bars = []
    for i, count in enumerate(counts):
        low_ms, high_ms = 10 ** (low + i / BINS_PER_DECADE), 10 ** (low + (i + 1) / BINS_PER_DECADE)
        height = count / peak * plot_h
        bars.append(
            Bar(
                round(x_of(low_ms), 1),
                round(TOP + plot_h - height, 1),
                round(plot_w / bins - 1, 1),
                round(height, 1),
                count,
                low_ms,
                high_ms,
                slow[i],
                round(slow[i] / peak * plot_h, 1),
            )
        )
    ticks = tuple(Tick(round(x_of(10**d), 1), _label(10**d)) for d in range(low, high + 1))
    ordered = sorted(times_ms)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return Chart(
        WIDTH,
        HEIGHT,
        LEFT,
        WIDTH - RIGHT,
        TOP,
        TOP + plot_h,
        tuple(bars),
        ticks,
        round(x_of(threshold_ms), 1),
        threshold_ms,
        peak,
        len(times_ms),
        statistics.median(times_ms),
        p95,
        max(times_ms),
        sum(ms > threshold_ms for ms in times_ms),
    )
