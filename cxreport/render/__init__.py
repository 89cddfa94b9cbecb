"""render: the project and its figures as a static site (render_site in whole_site.py; the map in CONTRIBUTING.md).

Nothing is imported here, so that importing one part of the renderer (the theme, the writer) does not load
all of it.
"""
