"""One module per page family, each a part of the Planner (cxreport.render.site)."""
