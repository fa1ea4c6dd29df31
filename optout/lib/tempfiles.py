"""The folder for temporary files: uploads in flight, files being built, parts of uploads."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def temp_dir() -> Path:
    # Made on demand: a cleaned-out data folder must not break the next upload.
    path = Path(settings.FILE_UPLOAD_TEMP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path
