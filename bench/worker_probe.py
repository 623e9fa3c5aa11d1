"""One process, as a web worker and the job worker would be: serve the big pages, build a ward's ZIP, report memory.

    python -m bench.worker_probe DATABASE_URL ORGANIZATION_ID

Prints one JSON line: the resident memory after the pages (VmRSS), the ZIP's time and files,
and the process's peak resident memory (VmHWM). Run by bench/scale.py in a process of its own,
so that the benchmark's own data (the generated province) is not counted.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(url: str, organization_id: int) -> None:
    from review.extensions import db
    from review.models import ExportJob
    from review.ward.exports import create_job, run_export

    from .__main__ import bench_app
    from .generate import YEAR
    from .harness import signed_in

    app = bench_app(url)
    client = signed_in(app, "bench-admin")
    for _ in range(10):
        for page in ("/province", f"/organizations/{organization_id}"):
            assert client.get(page).status_code == 200, page
    after_pages = _status_mb("VmRSS")
    with app.app_context():
        job = create_job(organization_id, YEAR, None)
        job_id = job.id
    started = time.perf_counter()
    run_export(app, job_id)
    seconds = time.perf_counter() - started
    with app.app_context():
        done = db.session.get(ExportJob, job_id)
        assert done is not None and not done.error, done and done.error
        files = done.done
    print(
        json.dumps(
            {
                "rss_after_pages_mb": after_pages,
                "zip_seconds": seconds,
                "zip_files": files,
                "peak_rss_mb": _status_mb("VmHWM"),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
