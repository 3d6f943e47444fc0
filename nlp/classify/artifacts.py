"""Model folders: ``config.json`` (backend and params), ``meta.json`` (card data), weights, ``SHA256SUMS``."""

from __future__ import annotations

import hashlib
import json
import platform
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nlp.about import __version__
from nlp.classify import registry
from nlp.errors import ModelLoadError, ModelVersionWarning


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_model(model: Any, path: Path, *, name: str, meta: dict[str, Any] | None = None) -> Path:
    """Write a complete model folder and its checksums."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    model.save(path)
    params = model.get_params() if hasattr(model, "get_params") else {}
    (path / "config.json").write_text(json.dumps({"backend": model.registry_name, "params": params}, indent=2) + "\n", encoding="utf-8")
    full_meta = {
        "name": name,
        "nlp_version": __version__,
        "backend": model.registry_name,
        "labels": list(model.labels_),
        "thresholds": {k: round(float(v), 4) for k, v in model.thresholds_.items()},
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        **library_versions(),
        **(meta or {}),
    }
    (path / "meta.json").write_text(json.dumps(full_meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_checksums(path)
    return path


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("numpy", "scikit-learn", "opencc", "torch", "transformers"):
        try:
            out[f"{dist}_version"] = version(dist)
        except PackageNotFoundError:
            continue
    return out


def write_checksums(path: Path) -> None:
    files = sorted(p for p in Path(path).rglob("*") if p.is_file() and p.name not in ("SHA256SUMS", "MODEL_CARD.md"))
    lines = [f"{sha256_file(p)}  {p.relative_to(path).as_posix()}" for p in files]
    (Path(path) / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def verify_checksums(path: Path) -> None:
    """Raise :class:`ModelLoadError` when a file listed in ``SHA256SUMS`` is missing or altered."""
    sums = Path(path) / "SHA256SUMS"
    if not sums.exists():
        raise ModelLoadError(f"{path} has no SHA256SUMS; is it a model folder?")
    for line in sums.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, rel = line.split(None, 1)
        f = Path(path) / rel.strip()
        if not f.exists():
            raise ModelLoadError(f"model file {f} is missing")
        if sha256_file(f) != digest:
            raise ModelLoadError(f"model file {f} does not match its checksum; the folder was modified")


def load_model(path: Path) -> tuple[Any, dict[str, Any]]:
    """Load any saved model folder through the registry; returns ``(model, meta)``."""
    path = Path(path)
    if not (path / "config.json").exists():
        raise ModelLoadError(f"{path} is not a model folder (no config.json)")
    verify_checksums(path)
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    meta_file = path / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
    saved = meta.get("nlp_version")
    if saved and saved.split(".")[:2] != __version__.split(".")[:2]:
        warnings.warn(f"model {path.name} was saved by narratives {saved}; this is {__version__}", ModelVersionWarning, stacklevel=2)
    cls = registry.get(config["backend"])
    model = cls.load(path)
    meta.setdefault("name", path.name)
    return model, meta
