"""Wall time of ``import scalekit_core`` in a fresh interpreter (median of several runs).

    .venv/bin/python benchmarks/import_time.py

For scale it also times ``import scalekit`` (the official SDK) when it is installed. Both are
timed with their bytecode cached, as after a wheel install: a first import with
``PYTHONDONTWRITEBYTECODE`` unset writes the ``.pyc`` files an editable install lacks.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys

RUNS = 7


def import_seconds(module: str) -> float:
    writes_bytecode = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, env=writes_bytecode)
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(RUNS)
    ]
    return statistics.median(runs)


def main() -> None:
    ours = import_seconds("scalekit_core")
    print(f"import scalekit_core: {ours * 1000:7.1f} ms")
    if importlib.util.find_spec("scalekit") is not None:
        official = import_seconds("scalekit")
        print(
            f"import scalekit (official SDK): {official * 1000:7.1f} ms   ratio {ours / official:.3f}"
        )


if __name__ == "__main__":
    main()
