"""The warehouses of site.yml and the metrics that read them, checked before anything is sent.

A literal URL holding a password is an error at its line (the URL is shown masked); a metric's warehouse must be
declared; what a warehouse metric cannot have (a file's options, a respondent or comment column) is named.
"""

from __future__ import annotations

from . import model as m
from .loader import Project
from .problems import Problems, did_you_mean
from .urls import env_name, has_password, mask_url

# options that only a file has: a warehouse's columns are typed and named by the engine
_FILE_ONLY = ("delimiter", "decimal", "thousands", "sheet")


def validate_warehouses(project: Project, problems: Problems) -> None:
    """Report a warehouse URL that holds a password, or that is neither `${NAME}` nor a URL."""
    o = project.site_origin
    for name, wh in project.config.warehouses.items():
        url = wh.url.strip()
        line, col = o.at("warehouses", name, "url")
        if env_name(url) is None and "${" in url:
            problems.error(
                o.path,
                line,
                col,
                f"warehouse '{name}': the URL mixes a variable with text: '{mask_url(url)}'",
                "write the whole URL as one variable, e.g. 'url: ${CX_DWH_URL}', and set CX_DWH_URL to the URL",
                code="warehouse-url",
            )
        elif env_name(url) is None and has_password(url):
            problems.error(
                o.path,
                line,
                col,
                f"warehouse '{name}': the URL holds a password ('{mask_url(url)}'), and site.yml is shared and published",
                "move the URL to an environment variable and write 'url: ${CX_DWH_URL}' (docs/warehouse.md)",
                code="warehouse-password-in-url",
            )


def validate_warehouse_metric(project: Project, i: int, metric: m.MetricSource, problems: Problems) -> None:
    """Report a warehouse metric whose warehouse is not declared, or that carries what only a file has."""
    o = project.site_origin
    if metric.warehouse not in project.config.warehouses:
        line, col = o.at("metrics", i, "warehouse")
        problems.error(
            o.path,
            line,
            col,
            f"metric '{metric.id}' reads warehouse '{metric.warehouse}', which is not declared under 'warehouses:'",
            did_you_mean(metric.warehouse or "", project.config.warehouses, "warehouses")
            if project.config.warehouses
            else "declare it in site.yml: 'warehouses: {dwh: {url: ${CX_DWH_URL}}}'",
            code="unknown-warehouse",
        )
    for key in _FILE_ONLY:
        if getattr(metric, key) is not None:
            line, col = o.key_at("metrics", i, key)
            problems.warning(
                o.path,
                line,
                col,
                f"metric '{metric.id}': '{key}' is ignored: it reads a file's cells, and this metric reads a warehouse",
                f"remove '{key}:'",
                code="warehouse-file-option",
            )
    for key in ("respondent", "comment"):
        if getattr(metric.columns, key) is not None:
            line, col = o.at("metrics", i, "columns", key)
            problems.error(
                o.path,
                line,
                col,
                f"metric '{metric.id}': a {key} column is not read from a warehouse yet (only the counts come back)",
                f"remove '{key}:' from its columns, or export that survey to a file for its {key}s",
                code="warehouse-unsupported-column",
            )
