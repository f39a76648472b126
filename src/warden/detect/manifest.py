"""Where the standard detectors live once built, and which files a pack's ``models:`` means.

:mod:`warden.detect.standard` builds the detectors into a models directory with a
``manifest.json``; this module only reads that directory, so screening with lexicons only
(``warden check`` before ``warden models build``) never imports the training machinery
(NumPy, SciPy, the classifier). :mod:`warden.detect.standard` re-exports these names.

The default policy names the set as ``models: [standard]``; :func:`resolve_models` turns
that into the detector files when a manifest is present, and otherwise logs **one**
warning that says which command builds them (the lexicons still work). A detector file
named by a pack that is missing or corrupt is an error naming the file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from warden.errors import ModelError

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "warden-standard-detectors"
MANIFEST_VERSION = 1
#: The name a policy pack's ``models:`` list uses for the whole standard set.
STANDARD = "standard"
BUILD_COMMAND = "warden models build"

log = logging.getLogger("warden")


def manifest_path(models_dir: Path) -> Path:
    return models_dir / MANIFEST


_warned: set[Path] = set()


def read_manifest(models_dir: Path) -> dict[str, Any]:
    """The manifest of a models directory; errors name the file and what is wrong."""
    path = manifest_path(models_dir)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the models manifest: {exc.strerror}") from None
    except ValueError as exc:
        raise ModelError(f"{path}: corrupt models manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ModelError(f"{path}: not a Warden models manifest (format {MANIFEST_FORMAT!r})")
    if not isinstance(manifest.get("detectors"), list):
        raise ModelError(f"{path}: 'detectors' is missing; expected a list")
    return manifest


def standard_files(models_dir: Path) -> list[Path]:
    """The detector files the manifest in ``models_dir`` lists (each must exist)."""
    manifest = read_manifest(models_dir)
    files = []
    for detector in manifest["detectors"]:
        path = models_dir / str(detector.get("file"))
        if not path.is_file():
            raise ModelError(
                f"{path}: detector {detector.get('name')!r} listed in "
                f"{manifest_path(models_dir)} is missing; rebuild with `{BUILD_COMMAND}`"
            )
        files.append(path)
    return files


def resolve_models(
    entries: Iterable[str], models_dir: Path, base: Path | None = None
) -> list[Path]:
    """Model files for a pack's ``models:`` list. ``standard`` is the standard set in
    ``models_dir`` (or nothing, with one warning, when it was never built); other entries
    are files, relative to ``base`` (the pack's folder) when not found as given."""
    paths: list[Path] = []
    for entry in entries:
        if entry == STANDARD:
            if not manifest_path(models_dir).is_file():
                if models_dir not in _warned:
                    _warned.add(models_dir)
                    log.warning(
                        "standard detectors not found in %s: screening with lexicons only. "
                        "Build them with `%s` (reads WARDEN_DATA_DIR; sets WARDEN_MODELS_DIR "
                        "with --out).",
                        models_dir,
                        BUILD_COMMAND,
                    )
                continue
            paths.extend(standard_files(models_dir))
            continue
        path = Path(entry)
        if not path.is_absolute() and not path.exists() and base is not None:
            path = base / path
        paths.append(path)
    return paths
