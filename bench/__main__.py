"""Run every benchmark, print the figures, and write them to bench/RESULTS.md.

    bench/run                      # everything (the province on PostgreSQL takes minutes)
    bench/run --wards 10           # a smaller province, for a quick look
    bench/run --only minutes pages # some sections only (RESULTS.md lists what ran)
    bench/run --only scale --members 500000   # the large province (kept with its date across runs)

Not part of the test suite: nothing here asserts; the targets are reported as met or not.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import bare_minutes
from .scale import PAGES, PROCESSES, REQUESTS

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SIZES = (10, 60, 300)
SCALE_RESULTS = BENCH / "scale-results.json"  # the large provinces' figures, kept across runs
CELLS_A_WARD = 30
SECTIONS = ("minutes", "process", "pages", "files", "province", "load", "scale")

TARGETS = {
    "minutes_10": 0.3,  # seconds
    "minutes_300": 5.0,
    "overhead": 1.5,  # ours / bare ReportLab
    "process": 2.0,  # the whole `flask meeting minutes` command / `python bench/bare_minutes.py`
    "ward_dashboard": 0.050,  # seconds, median, 30 cells
    "province_pg": 0.300,  # seconds, median, PostgreSQL
    # A large province (bench/scale.py), p95 with first requests of a process included:
    "scale_page_large": 0.300,  # 500,000 members
    "scale_page_small": 0.100,  # 50,000 members
    "import_300": 1.0,  # seconds, one 300-member meeting file
    "import_1000": 60.0,  # seconds, 1,000 meetings
    "zip_30": 30.0,  # seconds, a ward's ZIP of 30 cells
    "worker_mb": 300.0,  # resident memory of a process serving pages and building a ZIP
}
LARGE = 500_000  # members: at and above this the large-province page target applies


# ---------------------------------------------------------------------------
# Measuring


def timed(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> list[float]:
    """Return the wall-clock seconds of ``repeat`` calls of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def cpu_timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Return the CPU seconds of this process for ``repeat`` calls (less sensitive to a busy machine)."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return times


def median(times: list[float]) -> float:
    return statistics.median(times)


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile of ``values`` (share in 0..1)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


def profile_top(fn: Callable[[], Any], lines: int = 14) -> str:
    """Return the functions taking the most cumulative time in one call of ``fn`` (cProfile)."""
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(lines)
    text = out.getvalue()
    start = text.find("ncalls")
    return text[start:].rstrip() if start >= 0 else text.rstrip()


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def say(line: str = "") -> None:
    print(line, flush=True)


# ---------------------------------------------------------------------------
# The machine


def machine() -> dict[str, str]:
    """Return what the figures ran on: CPU, cores, load, Python, databases, date."""
    from .databases import postgres_version

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    import reportlab

    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?", "?", "?")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "load": " / ".join(f"{x:.2f}" if isinstance(x, float) else str(x) for x in load),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(),
        "versions": f"Flask {version('flask')}, SQLAlchemy {version('sqlalchemy')}, ReportLab {reportlab.Version}"
        + (", rl_accel " + version("rl_accel") if _has("_rl_accel") else ", without rl_accel (pure-Python ReportLab)"),
        "os": platform.platform(),
    }


# ---------------------------------------------------------------------------
# Minutes: ours against a bare ReportLab document of the same paragraphs


def captured_story(mf: Any, result: Any, seal: Any) -> list[Any]:
    """Return the story our minutes would lay out (reports.pdf_writer builds it, we keep it)."""
    import reports.common as common
    import reports.minutes as minutes

    kept: list[Any] = []
    original = common.build_pdf
    common.build_pdf = lambda story, **kw: kept.extend(story) or b""  # type: ignore[assignment]
    try:
        minutes.meeting_minutes(mf, result, seal)
    finally:
        common.build_pdf = original  # type: ignore[assignment]
    return kept


def pdf_pages(data: bytes) -> int | str:
    try:
        from pypdf import PdfReader
    except ImportError:
        return "?"
    return len(PdfReader(io.BytesIO(data)).pages)


def bench_minutes(results: dict[str, Any]) -> None:
    from reports.minutes import SealInfo, meeting_minutes

    from .generate import cell_file

    say("== Biên bản hội nghị (PDF)")
    rows = []
    seal = SealInfo(1, "0123456789abcdef" * 4, "20/12/2024 17:00")
    for size in SIZES:
        mf = cell_file(
            random.Random(size), "Đảng bộ phường Thượng Thanh", "Thượng Thanh", f"Chi bộ Khu dân cư số {size}", size
        )
        result = mf.evaluate()
        repeat = 5 if size < 300 else 3
        ours_pdf = meeting_minutes(mf, result, seal)
        ours = timed(lambda: meeting_minutes(mf, result, seal), repeat)  # noqa: B023  (timed within this iteration)
        # The floor: the texts of our story, each in its own face (bench/bare_minutes.py, as the process section).
        texts = bare_minutes.story_paragraphs(captured_story(mf, result, seal))
        bare = timed(lambda: bare_minutes.bare_pdf(texts), repeat)  # noqa: B023  (timed within this iteration)
        evaluate = timed(mf.evaluate, repeat)
        ours_cpu = cpu_timed(lambda: meeting_minutes(mf, result, seal), repeat)  # noqa: B023  (timed within this iteration)
        bare_cpu = cpu_timed(lambda: bare_minutes.bare_pdf(texts), repeat)  # noqa: B023  (timed within this iteration)
        row = {
            "size": size,
            "ours": median(ours),
            "bare": median(bare),
            "ratio": median(ours) / median(bare),
            "ours_cpu": median(ours_cpu),
            "bare_cpu": median(bare_cpu),
            "cpu_ratio": median(ours_cpu) / median(bare_cpu),
            "evaluate": median(evaluate),
            "paragraphs": len(texts),
            "pages": pdf_pages(ours_pdf),
            "bare_pages": pdf_pages(bare_minutes.bare_pdf(texts)),
            "bytes": len(ours_pdf),
        }
        rows.append(row)
        say(
            f"  {size:>3} đảng viên: {secs(row['ours'])}, CPU {secs(row['ours_cpu'])} (trần ReportLab {secs(row['bare'])}, "
            f"CPU {secs(row['bare_cpu'])}, x{row['ratio']:.2f}), "
            f"{row['pages']} trang, {row['paragraphs']} đoạn"
        )
    results["minutes"] = rows
    mf = cell_file(random.Random(300), "Đảng bộ phường Thượng Thanh", "Thượng Thanh", "Chi bộ Khu dân cư số 300", 300)
    result = mf.evaluate()
    results["minutes_profile"] = profile_top(lambda: meeting_minutes(mf, result, seal))


# ---------------------------------------------------------------------------
# Whole processes: the minutes command against bare ReportLab in its own process


def run_timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``command``; return its wall-clock seconds and its CPU seconds (user + system, from wait4)."""
    import subprocess

    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


PROCESS_REPEAT = 5


def bench_process(results: dict[str, Any], workdir: Path) -> None:
    """Time whole commands: `flask meeting minutes` of the 300-member cell, bare ReportLab, start-up alone."""
    import subprocess

    from .generate import cell_document

    say("== Cả tiến trình: lệnh `flask meeting minutes` (300 đảng viên) và ReportLab trần")
    bindir = Path(sys.executable).parent
    flask = [str(bindir / "flask"), "--app", "review"]
    python = str(bindir / "python")
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'process.sqlite3'}",
            "SECRET_KEY": "bench-only-not-secret",
            "REVIEW_INSTANCE_PATH": str(workdir / "process-instance"),
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("FLASK_DEBUG", None)
    document = cell_document(
        random.Random(300), "Đảng bộ phường Thượng Thanh", "Thượng Thanh", "Chi bộ Khu dân cư số 300", 300
    )
    meeting_path = workdir / "cell-300.json"
    meeting_path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    texts = workdir / "minutes-texts.json"
    for command in (
        [*flask, "db", "upgrade"],
        [*flask, "meeting", "import", str(meeting_path)],
        [python, str(BENCH / "bare_minutes.py"), "--extract", str(texts), "1"],
    ):
        subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
    ours_pdf, bare_pdf_path = workdir / "minutes.pdf", workdir / "bare.pdf"
    commands = {
        "minutes": [*flask, "meeting", "minutes", "1", "-o", str(ours_pdf)],
        "bare": [python, str(BENCH / "bare_minutes.py"), str(texts), str(bare_pdf_path)],
        "startup": [*flask, "meeting", "list"],
        "python": [python, "-c", "pass"],
        "reportlab": [python, "-c", "import reportlab.platypus"],
    }
    runs: dict[str, list[tuple[float, float]]] = {key: [] for key in commands}
    for command in commands.values():  # warm the file cache and the byte-code
        run_timed(command, env)
    for _ in range(PROCESS_REPEAT):  # interleaved: the neighbours' load falls on both alike
        for key, command in commands.items():
            runs[key].append(run_timed(command, env))
    figures = {
        key: {"wall": median([w for w, _ in values]), "cpu": median([c for _, c in values])}
        for key, values in runs.items()
    }
    row = {
        "repeat": PROCESS_REPEAT,
        "figures": figures,
        "ratio": figures["minutes"]["wall"] / figures["bare"]["wall"],
        "cpu_ratio": figures["minutes"]["cpu"] / figures["bare"]["cpu"],
        "pages": pdf_pages(ours_pdf.read_bytes()),
        "bare_pages": pdf_pages(bare_pdf_path.read_bytes()),
        "paragraphs": len(json.loads(texts.read_text(encoding="utf-8"))),
    }
    results["process"] = row
    for key, f in figures.items():
        say(f"  {key}: {secs(f['wall'])} (CPU {secs(f['cpu'])})")
    say(f"  lệnh / ReportLab trần: x{row['ratio']:.2f} (CPU x{row['cpu_ratio']:.2f})")


# ---------------------------------------------------------------------------
# Pages, served by the test client, with their SQL statements


def bench_app(url: str):  # type: ignore[no-untyped-def]
    """Return the application on ``url`` with an empty route beside the real ones."""
    from review import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    app.add_url_rule("/_bench/empty", "bench_empty", lambda: "")
    return app


def page_figures(app, client, url: str, repeat: int, empty: float) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from .harness import statements_for

    status, statements, _ = statements_for(app, client, url)
    times = timed(lambda: client.get(url), repeat, warmup=1)
    return {
        "status": status,
        "statements": statements,
        "median": median(times),
        "min": min(times),
        "p90": percentile(times, 0.9),
        "ratio": median(times) / empty,
    }


def empty_route(client) -> float:  # type: ignore[no-untyped-def]
    return median(timed(lambda: client.get("/_bench/empty"), 200, warmup=20))


def ward_ids(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Return the first meeting of the database's first ward: its id, cell, organisation, a participant."""
    from sqlalchemy import select

    from review.extensions import db
    from review.models import Cell, Meeting, Organization

    with app.app_context():
        organization_id = db.session.scalar(select(Organization.id).order_by(Organization.id))
        meeting = db.session.scalar(
            select(Meeting).join(Cell).where(Cell.organization_id == organization_id).order_by(Meeting.id)
        )
        return {"organization": organization_id, "meeting": meeting.id, "cell": meeting.cell_id}


OVERVIEW = "Hội nghị của chi bộ (/meetings/M, chuyển tới bước đang làm)"


def main_pages(ids: dict[str, int]) -> dict[str, str]:
    m = ids["meeting"]
    return {
        OVERVIEW: f"/meetings/{m}",
        "Kiểm điểm cá nhân (danh sách)": f"/meetings/{m}/reviews",
        "Kết quả": f"/meetings/{m}/results",
        "Trang đảng ủy phường (30 chi bộ)": f"/organizations/{ids['organization']}",
        "Toàn tỉnh": "/province",
    }


def bench_pages(results: dict[str, Any], workdir: Path) -> None:
    from .databases import sqlite_url
    from .generate import build
    from .harness import ensure_user, signed_in

    say("== Các trang chính (SQLite, test client của Flask, đăng nhập quản trị)")
    results["pages"] = {}
    for size in SIZES:
        url = sqlite_url(workdir, f"ward-{size}")
        app = bench_app(url)
        from review.extensions import db

        with app.app_context():
            db.create_all()
        built = build(app, "ward", size, seed=size, cells=CELLS_A_WARD)
        say(f"  phường {CELLS_A_WARD} chi bộ x {size} đảng viên: tạo trong {secs(built['seconds'])}")
        ensure_user(app, "bench-admin", "admin")
        client = signed_in(app, "bench-admin")
        empty = empty_route(client)
        ids = ward_ids(app)
        figures = {"build_seconds": built["seconds"], "empty": empty, "pages": {}}
        for label, page in main_pages(ids).items():
            repeat = 15 if size < 300 else 7
            if label == OVERVIEW:  # the overview redirects to the step in progress: measure both requests
                target = client.get(page).headers["Location"]
                one = page_figures(app, client, page, repeat, empty)
                two = page_figures(app, client, target, repeat, empty)
                fig = {k: one[k] + two[k] for k in ("statements", "median", "min", "p90")}
                fig |= {"status": f"{one['status']}→{two['status']}", "ratio": fig["median"] / empty}
            else:
                fig = page_figures(app, client, page, repeat, empty)
            figures["pages"][label] = fig
            say(f"    {label}: {ms(fig['median'])} (x{fig['ratio']:.0f} trang rỗng), {fig['statements']} câu SQL")
        results["pages"][size] = figures
        if size == 60:
            results["load_database"] = url
            results["load_ids"] = ids
        with app.app_context():
            db.engine.dispose()


# ---------------------------------------------------------------------------
# Meeting file import and export, 300 members


def bench_files(results: dict[str, Any], workdir: Path) -> None:
    from review import meetingfile
    from review.extensions import db
    from review.meeting_store import import_meeting, load_meeting, meeting_file

    from .databases import postgres_database, sqlite_url
    from .generate import cell_document

    say("== Nhập và xuất tệp hội nghị, chi bộ 300 đảng viên")
    document = cell_document(
        random.Random(300), "Đảng bộ phường Thượng Thanh", "Thượng Thanh", "Chi bộ Khu dân cư số 300", 300
    )
    results["files"] = {}

    def run(kind: str, url: str) -> None:
        app = bench_app(url)
        with app.app_context():
            db.create_all()
            counter = iter(range(1, 1000))

            def do_import() -> int:
                document["organization"]["cell"] = f"Chi bộ Khu dân cư số 300-{next(counter)}"
                data = json.dumps(document, ensure_ascii=False).encode("utf-8")
                parsed, problems = meetingfile.loads(data)
                assert parsed is not None, problems
                meeting_id = import_meeting(parsed).id
                db.session.expunge_all()
                return meeting_id

            imports = timed(do_import, 3)
            meeting_id = do_import()

            def do_export() -> str:
                db.session.expunge_all()
                meeting = load_meeting(meeting_id)
                return meetingfile.dumps(meetingfile.dump(meeting_file(meeting)))

            exported = do_export()
            exports = timed(do_export, 5)
            db.session.remove()
            db.engine.dispose()
        size = len(json.dumps(document, ensure_ascii=False).encode("utf-8"))
        results["files"][kind] = {
            "import": median(imports),
            "export": median(exports),
            "bytes": size,
            "export_bytes": len(exported.encode()),
        }
        say(f"  {kind}: nhập {secs(median(imports))}, xuất {secs(median(exports))} (tệp {size // 1024} KiB)")

    run("SQLite", sqlite_url(workdir, "files"))
    with postgres_database("review_bench_files") as url:
        run("PostgreSQL", url)


# ---------------------------------------------------------------------------
# The province on PostgreSQL


def bench_province(results: dict[str, Any], wards: int) -> None:
    from review.extensions import db

    from .databases import postgres_database
    from .generate import build
    from .harness import ensure_user, signed_in

    say(f"== Toàn tỉnh trên PostgreSQL: {wards} đảng bộ phường x {CELLS_A_WARD} chi bộ")
    with postgres_database("review_bench_province") as url:
        app = bench_app(url)
        with app.app_context():
            db.create_all()
        built = build(app, "province", seed=2024, wards=wards, cells=CELLS_A_WARD)
        from sqlalchemy import func, select

        from review.models import Member

        with app.app_context():
            members = db.session.scalar(select(func.count(Member.id)))
        say(f"  tạo {len(built['meetings'])} hội nghị, {members} đảng viên trong {secs(built['seconds'])}")
        ensure_user(app, "bench-admin", "admin")
        client = signed_in(app, "bench-admin")
        empty = empty_route(client)
        ids = ward_ids(app)
        pages = {}
        for label, page in main_pages(ids).items():
            if label == OVERVIEW:
                page = client.get(page).headers["Location"]
                label = "Hội nghị của chi bộ (bước đang làm)"
            pages[label] = page_figures(app, client, page, 21 if "province" in page else 11, empty)
            say(f"    {label}: {ms(pages[label]['median'])}, {pages[label]['statements']} câu SQL")
        results["province"] = {
            "wards": wards,
            "cells": len(built["meetings"]),
            "members": members,
            "build_seconds": built["seconds"],
            "empty": empty,
            "pages": pages,
        }
        results["province_profile"] = profile_top(lambda: client.get("/province"))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# ---------------------------------------------------------------------------
# Load test: gunicorn on loopback


def bench_load(results: dict[str, Any], workdir: Path) -> None:
    from .load import run_load

    url = results.get("load_database")
    ids = results.get("load_ids")
    if url is None:
        from .databases import sqlite_url
        from .generate import build

        url = sqlite_url(workdir, "load")
        app = bench_app(url)
        from review.extensions import db

        with app.app_context():
            db.create_all()
        build(app, "ward", 60, seed=60, cells=CELLS_A_WARD)
        ids = ward_ids(app)
        with app.app_context():
            db.engine.dispose()
    say("== Tải thử: gunicorn trên 127.0.0.1, SQLite, phường 30 chi bộ x 60 đảng viên")
    results["load"] = run_load(url, ids, say)


# ---------------------------------------------------------------------------
# RESULTS.md


def verdict(value: float, limit: float) -> str:
    return "đạt" if value <= limit else "**chưa đạt**"


def write_results(results: dict[str, Any], path: Path) -> None:
    m = results["machine"]
    out = [
        "# Benchmarks / Đo hiệu năng",
        "",
        "Written by `bench/run` (`python -m bench`); every figure below is from the run described here.",
        "Times are wall-clock medians unless said otherwise. Pages are served in-process by Flask's test",
        "client (the same way for the empty route they are compared with); the load test goes through",
        "gunicorn on loopback.",
        "",
        "## Machine",
        "",
        f"- Date: {m['date']}",
        f"- CPU: {m['cpu']}, {m['cores']} cores",
        f"- Load average when the run started (1/5/15 min): {m['load']}. **The machine is shared**: other",
        "  engineers ran test suites on the same 2 cores during the run, so the figures are noisy and",
        "  pessimistic; compare ratios rather than absolute times.",
        f"- Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql']}",
        f"- {m['versions']}",
        f"- {m['os']}",
        f"- Sections run: {', '.join(results['sections'])}",
        "",
    ]
    if "minutes" in results:
        out += [
            "## Meeting minutes (biên bản hội nghị, PDF)",
            "",
            "`reports.minutes.meeting_minutes` from a generated meeting file (the rules core's results computed",
            "beforehand), against a bare ReportLab document of the same texts (`bench/bare_minutes.py`'s",
            "floor, as in the whole-process section: each paragraph in one face, size, leading and",
            "alignment, no inline markup) in a plain `SimpleDocTemplate`, without our header table,",
            "results table, keep-together groups or page decorations.",
            "",
            "Wall-clock and CPU time of the process, each the median of its own repetitions (CPU time",
            "counts only this process's work; on shared cores both move with the neighbours' load).",
            "",
            "| members | ours | ours, CPU | bare ReportLab | bare, CPU | overhead (wall) | overhead (CPU) | pages (ours/bare) | paragraphs | PDF size | rules core |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results["minutes"]:
            out.append(
                f"| {r['size']} | {secs(r['ours'])} | {secs(r['ours_cpu'])} | {secs(r['bare'])} | {secs(r['bare_cpu'])} "
                f"| x{r['ratio']:.2f} | x{r['cpu_ratio']:.2f} | {r['pages']}/{r['bare_pages']} "
                f"| {r['paragraphs']} | {r['bytes'] // 1024} KiB | {ms(r['evaluate'])} |"
            )
        out.append("")
    if "process" in results:
        p = results["process"]
        f = p["figures"]
        out += [
            "## Whole process: the minutes command against bare ReportLab",
            "",
            "Each command in its own process, as a user runs it, on a SQLite database holding the",
            "benchmark's 300-member cell (imported by `flask meeting import`). `bare` is",
            "`python bench/bare_minutes.py`: ReportLab alone laying out the same texts (the paragraphs",
            "of our minutes, caught at `BaseDocTemplate.build`, each in its own face, size, leading and",
            "alignment, justified body text) in a plain `SimpleDocTemplate`: no header or results table,",
            "no kept-together groups, no page decorations, no inline markup. Start-up, importing,",
            f"reading the database and writing the file are all counted. Median of {p['repeat']} runs, the",
            "commands interleaved; CPU is user + system time of the child (wait4).",
            "",
            "| command | wall | CPU |",
            "|---|---:|---:|",
            f"| `flask --app review meeting minutes 1 -o minutes.pdf` | {secs(f['minutes']['wall'])} | {secs(f['minutes']['cpu'])} |",
            f"| `python bench/bare_minutes.py texts.json bare.pdf` | {secs(f['bare']['wall'])} | {secs(f['bare']['cpu'])} |",
            f"| `flask --app review meeting list` (start-up and one query) | {secs(f['startup']['wall'])} | {secs(f['startup']['cpu'])} |",
            f"| `python -c 'import reportlab.platypus'` | {secs(f['reportlab']['wall'])} | {secs(f['reportlab']['cpu'])} |",
            f"| `python -c pass` | {secs(f['python']['wall'])} | {secs(f['python']['cpu'])} |",
            "",
            f"Ratio, the command over bare ReportLab: **x{p['ratio']:.2f}** wall, **x{p['cpu_ratio']:.2f}** CPU."
            f" Pages: {p['pages']} (ours), {p['bare_pages']} (bare); {p['paragraphs']} paragraphs.",
            "",
        ]
    if "pages" in results:
        out += [
            "## Main pages (SQLite)",
            "",
            f"A ward organisation of {CELLS_A_WARD} cells of N members each, generated by `bench/generate.py` and",
            'stored through `meeting_store.import_meeting`; signed in as an administrator. "x empty" is the',
            "median against an empty Flask route served the same way (test client, same app). The",
            "meeting overview redirects to the step in progress: both requests are counted.",
            "",
            "| members a cell | page | median | p90 | x empty | SQL statements |",
            "|---:|---|---:|---:|---:|---:|",
        ]
        for size, figures in results["pages"].items():
            for label, f in figures["pages"].items():
                out.append(
                    f"| {size} | {label} | {ms(f['median'])} | {ms(f['p90'])} | x{f['ratio']:.0f} | {f['statements']} |"
                )
        out.append("")
        out.append(
            "Empty route: "
            + ", ".join(f"{ms(f['empty'])} ({size} members)" for size, f in results["pages"].items())
            + ". Building the ward: "
            + ", ".join(f"{secs(f['build_seconds'])} ({size} members a cell)" for size, f in results["pages"].items())
            + "."
        )
        out.append("")
    if "files" in results:
        out += ["## Meeting file, 300 members", "", "| database | import | export | file |", "|---|---:|---:|---:|"]
        for kind, f in results["files"].items():
            out.append(f"| {kind} | {secs(f['import'])} | {secs(f['export'])} | {f['bytes'] // 1024} KiB |")
        out += [
            "",
            "Import: `meetingfile.loads` (checks the whole file) and `meeting_store.import_meeting` (stores it,",
            "seals the ballot). Export: `meeting_store.load_meeting`, `meeting_file`, `meetingfile.dump` (the rules",
            "core's results) and `dumps`.",
            "",
        ]
    if "province" in results:
        p = results["province"]
        out += [
            "## Province on PostgreSQL",
            "",
            f"{p['wards']} ward organisations x {CELLS_A_WARD} cells: {p['cells']} sealed meetings, {p['members']} members,"
            f" built in {secs(p['build_seconds'])} through `meeting_store.import_meeting`. Empty route: {ms(p['empty'])}.",
            "",
            "| page | median | p90 | x empty | SQL statements |",
            "|---|---:|---:|---:|---:|",
        ]
        for label, f in p["pages"].items():
            out.append(f"| {label} | {ms(f['median'])} | {ms(f['p90'])} | x{f['ratio']:.0f} | {f['statements']} |")
        out.append("")
    if "load" in results:
        out += [
            "## Load test (gunicorn, loopback)",
            "",
            results["load"]["setup"],
            "",
            "| clients at once | requests | errors | throughput | p50 | p90 | p99 | max |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for phase in results["load"]["phases"]:
            out.append(
                f"| {phase['concurrency']} | {phase['requests']} | {phase['errors']} | {phase['throughput']:.1f} req/s "
                f"| {ms(phase['p50'])} | {ms(phase['p90'])} | {ms(phase['p99'])} | {ms(phase['max'])} |"
            )
        out.append("")
    out += targets_section(results)
    out += ["", *scale_block(results)]
    notes = BENCH / "NOTES.md"
    if notes.exists():
        out += ["", notes.read_text(encoding="utf-8").rstrip(), ""]
    for key, title in (
        ("minutes_profile", "Profile: minutes of 300 members (cProfile, by own time)"),
        (
            "province_profile",
            "Profile: the province view on PostgreSQL, 40 wards, a request after the measured ones (cProfile, by own time)",
        ),
    ):
        if key in results:
            out += ["", f"### {title}", "", "```", results[key], "```"]
    path.write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")


SCALE_START, SCALE_END = "<!-- scale: bench/run --only scale -->", "<!-- /scale -->"


def scale_block(results: dict[str, Any]) -> list[str]:
    """Return the large provinces' part of RESULTS.md, between markers: a run of the scale section alone replaces it."""
    if not results.get("scale"):
        return []
    m = results["machine"]
    out = [SCALE_START]
    for _members, f in sorted(results.get("scale", {}).items(), key=lambda item: int(item[0])):
        out += [
            f"## A large province on PostgreSQL: {f['members']} members",
            "",
            f"Run {f.get('ran_at', m['date'])}. {f['wards']} ward organisations x 30 cells: {f['cells']} sealed meetings,"
            f" {f['members']} members, built in {secs(f['build_seconds'])} by `bench/generate.py` through the bulk",
            f"loader (`bench/bulk.py`). Each page: the first {REQUESTS} requests of each of {PROCESSES} fresh applications",
            "(a new process's state: connection pool, caches, compiled templates), p95 over all of them; the slowest first",
            "request of a process is given beside it. The memory is a process of its own (`bench/worker_probe.py`): ten rounds of",
            "both pages, then the ward's ZIP built as the worker builds it; VmRSS after the pages, VmHWM at the end.",
            "",
            "| page | p95 | slowest first request | median | SQL statements |",
            "|---|---:|---:|---:|---:|",
        ]
        for label, (name, _target) in PAGES.items():
            if label not in f["pages"]:
                continue
            page = f["pages"][label]
            out.append(
                f"| {name} | {ms(page['p95'])} | {ms(page['cold_max'])} | {ms(page['warm_median'])} | {', '.join(map(str, page['statements']))} |"
            )
        w = f["worker"]
        out += [
            "",
            f"Ward ZIP: {w['zip_files']} files in {secs(w['zip_seconds'])}. Memory: {w['rss_after_pages_mb']:.0f} MB after the"
            f" pages, peak {w['peak_rss_mb']:.0f} MB. Import through `import_meeting`: a 300-member file in"
            f" {secs(f['import_300'])}; 1,000 meetings ({f['import_1000_members']} members) in {secs(f['import_1000'])}.",
            "",
        ]
    out += ["## Targets at scale", "", "| target | limit | measured | |", "|---|---:|---:|---|"]
    for members, f in sorted(results.get("scale", {}).items(), key=lambda item: int(item[0])):
        limit = TARGETS["scale_page_large"] if int(members) >= LARGE else TARGETS["scale_page_small"]
        for label, (name, target) in PAGES.items():
            if label not in f["pages"]:
                continue
            page = f["pages"][label]
            if target:
                out.append(
                    f"| {name}, {f['members']} members, PostgreSQL, p95 with first requests | {ms(limit)} | {ms(page['p95'])} | {verdict(page['p95'], limit)} |"
                )
            constant = len(page["statements"]) == 1
            out.append(
                f"| SQL statements of the {name}, {f['members']} members | one count | {', '.join(map(str, page['statements']))} | {'đạt' if constant else '**chưa đạt**'} |"
            )
        w = f["worker"]
        out += [
            f"| import of a 300-member meeting file ({f['members']}-member database) | {secs(TARGETS['import_300'])} | {secs(f['import_300'])} | {verdict(f['import_300'], TARGETS['import_300'])} |",
            f"| import of 1,000 meetings ({f['import_1000_members']} members) | {secs(TARGETS['import_1000'])} | {secs(f['import_1000'])} | {verdict(f['import_1000'], TARGETS['import_1000'])} |",
            f"| ward ZIP of 30 cells ({f['members']}-member database) | {secs(TARGETS['zip_30'])} | {secs(w['zip_seconds'])} | {verdict(w['zip_seconds'], TARGETS['zip_30'])} |",
            f"| peak memory of a process serving the pages and building the ZIP ({f['members']} members) | {TARGETS['worker_mb']:.0f} MB | {w['peak_rss_mb']:.0f} MB | {verdict(w['peak_rss_mb'], TARGETS['worker_mb'])} |",
        ]
    runs = results.get("scale", {}).values()
    for label, (name, _target) in PAGES.items():
        counts = sorted({n for f in runs if label in f["pages"] for n in f["pages"][label]["statements"]})
        sizes = ", ".join(str(f["members"]) for f in runs)
        out.append(
            f"| SQL statements of the {name}, the same at every size ({sizes} members) | one count | {', '.join(map(str, counts))} | {'đạt' if len(counts) == 1 else '**chưa đạt**'} |"
        )
    out.append(SCALE_END)
    return out


def write_scale_only(results: dict[str, Any], path: Path) -> None:
    """Replace the scale block of an existing RESULTS.md (the other sections' figures stay as they were)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = "\n".join(scale_block(results))
    if SCALE_START in text and SCALE_END in text:
        head, rest = text.split(SCALE_START, 1)
        text = head + block + rest.split(SCALE_END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def targets_section(results: dict[str, Any]) -> list[str]:
    out = ["## Targets", "", "| target | limit | measured | |", "|---|---:|---:|---|"]
    if "minutes" in results:
        by_size = {r["size"]: r for r in results["minutes"]}
        if 10 in by_size:
            out.append(
                f"| minutes, 10 members | {secs(TARGETS['minutes_10'])} | {secs(by_size[10]['ours'])} | {verdict(by_size[10]['ours'], TARGETS['minutes_10'])} |"
            )
        if 300 in by_size:
            out.append(
                f"| minutes, 300 members | {secs(TARGETS['minutes_300'])} | {secs(by_size[300]['ours'])} | {verdict(by_size[300]['ours'], TARGETS['minutes_300'])} |"
            )
        for size in (10, 300):
            if size in by_size:
                limit = TARGETS[f"minutes_{size}"]
                cpu = by_size[size]["ours_cpu"]
                out.append(
                    f"| minutes, {size} members, CPU time | {secs(limit)} | {secs(cpu)} | {verdict(cpu, limit)} |"
                )
        worst = max(r["ratio"] for r in results["minutes"])
        out.append(
            f"| overhead over bare ReportLab (worst size, wall) | x{TARGETS['overhead']} | x{worst:.2f} | {verdict(worst, TARGETS['overhead'])} |"
        )
        worst_cpu = max(r["cpu_ratio"] for r in results["minutes"])
        out.append(
            f"| overhead over bare ReportLab (worst size, CPU) | x{TARGETS['overhead']} | x{worst_cpu:.2f} | {verdict(worst_cpu, TARGETS['overhead'])} |"
        )
    if "process" in results:
        p = results["process"]
        out.append(
            f"| whole minutes command over bare ReportLab, 300 members (wall) | x{TARGETS['process']} | x{p['ratio']:.2f} | {verdict(p['ratio'], TARGETS['process'])} |"
        )
        out.append(
            f"| whole minutes command over bare ReportLab, 300 members (CPU) | x{TARGETS['process']} | x{p['cpu_ratio']:.2f} | {verdict(p['cpu_ratio'], TARGETS['process'])} |"
        )
    if "pages" in results:
        for size, figures in results["pages"].items():
            f = figures["pages"]["Trang đảng ủy phường (30 chi bộ)"]
            out.append(
                f"| ward dashboard, 30 cells x {size} (SQLite) | {ms(TARGETS['ward_dashboard'])} | {ms(f['median'])} | {verdict(f['median'], TARGETS['ward_dashboard'])} |"
            )
        for label in next(iter(results["pages"].values()))["pages"]:
            counts = {results["pages"][size]["pages"][label]["statements"] for size in results["pages"]}
            out.append(
                f"| SQL statements constant: {label} | one count | {', '.join(map(str, sorted(counts)))} | {'đạt' if len(counts) == 1 else '**chưa đạt**'} |"
            )
    if "province" in results:
        f = results["province"]["pages"]["Toàn tỉnh"]
        out.append(
            f"| province view on PostgreSQL ({results['province']['members']} members) | {ms(TARGETS['province_pg'])} | {ms(f['median'])} | {verdict(f['median'], TARGETS['province_pg'])} |"
        )
        w = results["province"]["pages"]["Trang đảng ủy phường (30 chi bộ)"]
        out.append(
            f"| ward dashboard, 30 cells, PostgreSQL | {ms(TARGETS['ward_dashboard'])} | {ms(w['median'])} | {verdict(w['median'], TARGETS['ward_dashboard'])} |"
        )
    if "load" in results:
        errors = sum(p["errors"] for p in results["load"]["phases"])
        out.append(f"| load test without errors | 0 | {errors} | {'đạt' if errors == 0 else '**chưa đạt**'} |")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench/run", description="Run the benchmarks and write bench/RESULTS.md.")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument(
        "--wards", type=int, default=40, help="ward organisations in the province (40: about 30,000 members)"
    )
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument(
        "--members", type=int, default=50_000, help="scale: the large province's members (500000: the issue's size)"
    )
    args = parser.parse_args(argv)
    sections = args.only or list(SECTIONS)
    results: dict[str, Any] = {"machine": machine(), "sections": sections}
    if SCALE_RESULTS.exists():
        # Every run keeps the large provinces measured before (each with its date), but the size it re-runs.
        kept = json.loads(SCALE_RESULTS.read_text(encoding="utf-8"))
        results["scale"] = {k: v for k, v in kept.items() if "scale" not in sections or int(k) != args.members}
    say(f"Máy: {results['machine']['cpu']}, {results['machine']['cores']} lõi, tải {results['machine']['load']}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        workdir = Path(tmp)
        if "minutes" in sections:
            bench_minutes(results)
        if "process" in sections:
            bench_process(results, workdir)
        if "pages" in sections:
            bench_pages(results, workdir)
        if "files" in sections:
            bench_files(results, workdir)
        if "province" in sections:
            bench_province(results, args.wards)
        if "load" in sections:
            bench_load(results, workdir)
        if "scale" in sections:
            from .scale import bench_scale

            bench_scale(results, args.members, say)
            results["scale"][args.members]["ran_at"] = results["machine"]["date"]
    if "scale" in results:
        SCALE_RESULTS.write_text(json.dumps(results["scale"], indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if sections == ["scale"]:
        write_scale_only(results, args.output)
    else:
        write_results(results, args.output)
    say(f"Xong trong {secs(time.perf_counter() - started)}; kết quả ghi vào {args.output}")


if __name__ == "__main__":
    sys.exit(main())
