"""The metric stage: read the declared metric files, check their rows, and compute every figure.

    data = join_metrics(project, problems, cache_dir)   # read, check, join to the maps
    figures = compute_figures(project, data)            # a FigureSet (cxreport.figures)
    figures_json(figures), experiments_json(figures)    # output/data/*.json

compute.py, join.py and output.py hold these; the decisions where FORMAT.md is silent are in docs/metrics.md.

Nothing is imported here, so that one part (figures.json, say) loads without DuckDB.
"""
