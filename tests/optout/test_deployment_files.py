"""What a deployment and `make bench` are made of: the production image installs every
Debian package the application uses at run time; `make bench` runs only benchmarks.

CI installs its packages from ``.ci/run``; the image from ``Dockerfile``. A package CI has
and the image lacks passes every test and fails in production — as the Noto fonts did: a
worker without them prints Japanese, Korean, Chinese and Arabic notices as empty boxes.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What only building, testing or benchmarking needs: the image has its own Python.
NOT_AT_RUN_TIME = {
    "python3.11",
    "python3.11-venv",
    "make",
    "chromium-driver",
    "poppler-utils",
    "unzip",
    "wrk",
    "redis-server",
    "postgresql",
}


def _ci_packages() -> set[str]:
    text = (ROOT / ".ci" / "run").read_text()
    block = re.search(r"PACKAGES=\((.*?)\)", text, re.DOTALL)
    assert block is not None
    return set(block.group(1).split())


def _image_packages() -> set[str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    packages: set[str] = set()
    for install in re.findall(r"apt-get install ([^&]*)", text):
        packages.update(word for word in install.split() if not word.startswith("-"))
    return packages


def test_the_image_installs_every_run_time_package_ci_installs() -> None:
    missing = _ci_packages() - NOT_AT_RUN_TIME - _image_packages()
    assert not missing, f"Dockerfile lacks {sorted(missing)}"


def test_the_image_has_the_fonts_of_every_notice_language() -> None:
    assert {"fonts-noto-core", "fonts-noto-cjk"} <= _image_packages()


def test_make_bench_runs_every_benchmark_and_nothing_else() -> None:
    from bench.run import benchmark_names

    names = benchmark_names()
    assert {"catalog_list", "coverage", "notices_render", "monitoring_index"} <= set(names)
    # Settings, URLs and data used by benchmarks are not benchmarks: running them failed
    # `make bench` as a whole.
    assert not {"bare_settings", "bare_urls", "catalog_data"} & set(names)
