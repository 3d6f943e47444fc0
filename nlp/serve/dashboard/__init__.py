"""The dashboard page: its static files and the vendored plotly.js.

The page itself (``index.html``, ``app.js``, ``app.css`` beside this module) only calls the public
API; plotly.js is served from the installed ``plotly`` Python package, so nothing is fetched from a
CDN at run time. The market closes it charts come from :mod:`nlp.serve.market_data`.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parent
STATIC_FILES = {"app.js": "text/javascript", "app.css": "text/css", "index.html": "text/html"}


def plotly_js() -> Path | None:
    """``plotly.min.js`` shipped inside the ``plotly`` package (``package_data``), if installed."""
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    return path if path.is_file() else None
