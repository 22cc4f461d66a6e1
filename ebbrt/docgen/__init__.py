"""Reference documentation for Ebb specs, in the shape of the C++ standard's library clauses.

`generate_docs(modules, out_dir)` writes one Markdown page and one HTML page per Ebb, pages for
top-level types, an index, a stylesheet and an SVG state diagram per protocol. The HTML site
needs no script and no network. The CLI front end is `ebb docs`.
"""

from __future__ import annotations

from ._site import FORMATS, build_pages, generate_docs, render_site

__all__ = ["FORMATS", "build_pages", "generate_docs", "render_site"]
