"""A large province on PostgreSQL (issue 18): build it in bulk, then measure what must hold at that size.

    bench/run --only scale                    # about 50,000 members (67 wards x 30 cells)
    bench/run --only scale --members 500000   # about 500,000 members (667 wards), tens of minutes

Measured: the province view and a ward's dashboard, p95 over the first 20 requests of each of
3 fresh applications (a new process's state: connection pool, caches, compiled templates); their
SQL statements; a 300-member meeting file and 1,000 meetings of the province's sizes through
``import_meeting``; the ward's ZIP of 30 cells built as the worker builds it; the resident
memory of a process serving the pages and building the ZIP (``bench/worker_probe.py``, a
process of its own: what a web worker or the job worker would hold).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The pages measured, and whether the p95 target applies (the decision: one ward's members, reported).
PAGES = {
    "province": ("`/province`", True),
    "ward": ("ward dashboard (30 cells)", True),
    "decision": ("committee's decision (one ward, issued)", False),
}
PROCESSES = 3  # fresh applications (a new worker process's state: connection pool, caches, templates)
REQUESTS = 20  # requests of each, its first one included


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def page_times(url: str, page: str, username: str) -> dict[str, Any]:
    """Time ``page``: PROCESSES fresh applications, REQUESTS each, the first request of each included."""
    from review.extensions import db

    from .__main__ import bench_app
    from .harness import signed_in, statements_for

    every, first = [], []
    statements = set()
    for _ in range(PROCESSES):
        app = bench_app(url)
        client = signed_in(app, username)  # the sign-in is not timed; the page is the first one after it
        for n in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(page)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (page, response.status_code)
            every.append(elapsed)
            if n == 0:
                first.append(elapsed)
        statements.add(statements_for(app, client, page)[1])
        with app.app_context():
            db.engine.dispose()
    return {
        "p95": p95(every),
        "cold_max": max(first),
        "warm_median": sorted(every)[len(every) // 2],
        "statements": sorted(statements),
    }


def import_times(url: str, wards: int) -> dict[str, float]:
    """Time ``import_meeting``: one 300-member meeting file, and 1,000 meetings of the province's sizes."""
    from review import meetingfile
    from review.extensions import db
    from review.meeting_store import import_meeting

    from .__main__ import bench_app
    from .generate import cell_document, province_size, ward_cells

    app = bench_app(url)
    with app.app_context():
        document = cell_document(
            random.Random(300), "Đảng bộ phường Đo Nhập", "Đo Nhập", "Chi bộ Khu dân cư số 300", 300
        )
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        started = time.perf_counter()
        parsed, problems = meetingfile.loads(data)
        assert parsed is not None, problems
        import_meeting(parsed)
        one = time.perf_counter() - started
        db.session.expunge_all()
        rng = random.Random(1000)
        files = []
        for ward in range(1000 // 30 + 1):
            files += list(ward_cells(rng, wards + 1 + ward, 30, province_size))  # wards the province has not
        files = files[:1000]
        started = time.perf_counter()
        for mf in files:
            import_meeting(mf)
            db.session.expunge_all()
        thousand = time.perf_counter() - started
        db.engine.dispose()
    return {"import_300": one, "import_1000": thousand, "import_1000_members": sum(len(f.members) for f in files)}


def bench_scale(results: dict[str, Any], members: int, say: Any) -> None:
    from sqlalchemy import func, select

    from review.extensions import db
    from review.models import Member, Organization

    from .__main__ import bench_app
    from .databases import postgres_database
    from .generate import YEAR, build, wards_for
    from .harness import ensure_user

    wards = wards_for(members)
    say(f"== Tỉnh lớn trên PostgreSQL: {wards} đảng bộ phường x 30 chi bộ (khoảng {members} đảng viên), nạp khối")
    with postgres_database("review_bench_scale") as url:
        app = bench_app(url)
        with app.app_context():
            db.create_all()
        built = build(app, "province", seed=2024, wards=wards, cells=30, bulk=True, decisions=True)
        with app.app_context():
            counted = db.session.scalar(select(func.count(Member.id)))
            organization_id = db.session.scalar(select(Organization.id).order_by(Organization.id))
            db.engine.dispose()
        say(f"  tạo {len(built['meetings'])} hội nghị, {counted} đảng viên trong {built['seconds']:.0f} s")
        ensure_user(app, "bench-admin", "admin")
        figures: dict[str, Any] = {
            "wards": wards,
            "cells": len(built["meetings"]),
            "members": counted,
            "build_seconds": built["seconds"],
            "pages": {},
        }
        for label, page in (
            ("province", "/province"),
            ("ward", f"/organizations/{organization_id}"),
            ("decision", f"/organizations/{organization_id}/decision/{YEAR}"),
        ):
            figures["pages"][label] = page_times(url, page, "bench-admin")
            f = figures["pages"][label]
            say(
                f"    {page}: p95 {f['p95'] * 1000:.0f} ms (lần đầu tối đa {f['cold_max'] * 1000:.0f} ms, "
                f"trung vị {f['warm_median'] * 1000:.0f} ms), {f['statements']} câu SQL"
            )
        probe = subprocess.run(
            [sys.executable, "-m", "bench.worker_probe", url, str(organization_id)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        )
        figures["worker"] = json.loads(probe.stdout.strip().splitlines()[-1])
        w = figures["worker"]
        say(
            f"    ZIP {w['zip_files']} tệp của 30 chi bộ: {w['zip_seconds']:.1f} s; bộ nhớ tiến trình: "
            f"sau các trang {w['rss_after_pages_mb']:.0f} MB, đỉnh {w['peak_rss_mb']:.0f} MB"
        )
        figures |= import_times(url, wards)
        say(
            f"    nhập tệp 300 đảng viên: {figures['import_300']:.2f} s; 1.000 hội nghị "
            f"({figures['import_1000_members']} đảng viên): {figures['import_1000']:.0f} s"
        )
    results.setdefault("scale", {})[members] = figures
