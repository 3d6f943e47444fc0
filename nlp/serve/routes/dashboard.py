"""``GET /`` and ``GET /static/{name}``: the dashboard page and its files (not in OpenAPI)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from nlp.serve.dashboard import STATIC, STATIC_FILES, plotly_js
from nlp.store import queries as q

router = APIRouter()


@router.get("/", include_in_schema=False)
def dashboard() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    if name == "plotly.min.js":
        path = plotly_js()
        if path is None:
            raise q.NotFoundError("plotly is not installed: pip install 'narratives[index]'")
        return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})
    if name not in STATIC_FILES:  # a fixed allow-list: no path from the URL reaches the file system
        raise q.NotFoundError(f"no static file {name!r}")
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name])
