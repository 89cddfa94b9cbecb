"""cxreport: CX journey maps and playbooks in YAML and Markdown, checked and built into a static site."""

__version__ = "0.1.0"
