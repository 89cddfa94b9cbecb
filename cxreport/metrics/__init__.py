"""The metric stage: read the declared metric files, check their rows, and compute every figure.

    data = join_metrics(project, problems, cache_dir)   # read, check, join to the maps
    figures = compute_figures(project, data)            # a FigureSet (cxreport.figures)
    figures_json(figures), experiments_json(figures)    # output/data/*.json

The decisions where FORMAT.md is silent are in docs/metrics.md.
"""

from __future__ import annotations

from .compute import compute_figures
from .join import MetricData, MetricTable, join_metrics
from .output import experiments_json, figures_json

__all__ = ["MetricData", "MetricTable", "compute_figures", "experiments_json", "figures_json", "join_metrics"]
