"""HR's results at scale on PostgreSQL: the dashboard for each filter combination, a
trainee's drill-down, the CSV and XLSX exports (the server's memory while they stream) and
quiz item statistics.

The script creates its own database, seeds it (tests/bench/results_world.py: 5,000
trainees, 50,000 scored conversations, 1.5 million messages by default), starts one
`manage.py serve` process with DEBUG off, and measures over HTTP as a browser would ask:
every request is timed from sending to the last byte read. Memory is the server process'
resident set (VmRSS from /proc), sampled every 10 ms while an export streams, against its
value just before the request (after one warm-up export, so code and caches are loaded).

    .venv/bin/python tests/bench/bench_results.py
    .venv/bin/python tests/bench/bench_results.py --reuse   # measure again, same data
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.harness import (  # noqa: E402
    ROOT,
    free_port,
    percentile,
    prepare_database,
    session_cookie,
    spawn,
)

TARGETS = {"dashboard": 300.0, "drilldown": 150.0, "export_mb": 50.0, "statistics_s": 2.0}


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fetch(base: str, path: str, cookie: str, params: dict | None = None) -> tuple[int, int, float]:
    """GET ``path``: status, bytes read, milliseconds to the last byte (the lines read are
    left in ``fetch.lines``)."""
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
    started = time.perf_counter()
    size = lines = 0
    with urllib.request.urlopen(request, timeout=300) as response:
        while chunk := response.read(256 * 1024):
            size += len(chunk)
            lines += chunk.count(b"\n")
        status = response.status
    fetch.lines = lines
    return status, size, (time.perf_counter() - started) * 1000


def timed(base: str, path: str, cookie: str, params: dict, repeat: int) -> list[float]:
    fetch(base, path, cookie, params)  # warm-up
    times = []
    for _ in range(repeat):
        status, _size, ms = fetch(base, path, cookie, params)
        assert status == 200, (path, params, status)
        times.append(ms)
    return times


def export_memory(base: str, path: str, cookie: str, params: dict, pid: int) -> dict:
    """Stream one export while sampling the server's resident memory."""
    before = rss_kb(pid)
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        status, size, ms = fetch(base, path, cookie, params)
    finally:
        done.set()
        sampler.join()
    return {
        "status": status,
        "bytes": size,
        "seconds": ms / 1000,
        "rss_before_mb": before / 1024,
        "growth_mb": (peak[0] - before) / 1024,
    }


def wait_ready(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=5000)
    parser.add_argument("--sessions-per-trainee", type=int, default=10)
    parser.add_argument("--messages-per-session", type=int, default=30)
    parser.add_argument("--statistics-trainees", type=int, default=1000)
    parser.add_argument("--statistics-questions", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=20, help="requests per measured page")
    parser.add_argument("--drilldowns", type=int, default=100, help="trainees drilled into")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/cs_bench_results"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the data already seeded")
    options = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": options.database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"),
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": "bench-" + "x" * 40,
        "CELERY_QUEUE": "bench",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "simulator.settings",
    }
    os.environ.update(env)
    if not options.reuse:
        prepare_database(options.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse

    from accounts.models import User
    from courses.item_statistics import quiz_statistics
    from courses.models import Quiz
    from tests.bench.results_world import seed

    if not options.reuse:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", allow_production=True, verbosity=0)
        started = time.perf_counter()
        print("seeding ...", flush=True)
        world = seed(
            options.trainees,
            options.sessions_per_trainee,
            options.messages_per_session,
            options.statistics_trainees,
            options.statistics_questions,
        )
        print(f"seeded in {time.perf_counter() - started:.0f} s: {world.counts}", flush=True)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    from roleplay.models import Message, Session

    hr = User.objects.get(username="bhr")
    trainer = User.objects.get(username="btrainer0")
    trainees = list(
        User.objects.filter(username__startswith="bt0").order_by("pk").values_list("pk", flat=True)
    )
    print(
        f"data: {len(trainees)} trainees, {Session.objects.count()} conversations, "
        f"{Message.objects.count()} messages",
        flush=True,
    )
    hr_cookie, trainer_cookie = session_cookie(hr), session_cookie(trainer)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = ROOT / "var" / "bench_results_server.log"
    log.parent.mkdir(exist_ok=True)
    bin_dir = Path(sys.executable).parent
    server = spawn(
        [str(bin_dir / "python"), str(ROOT / "manage.py"), "serve", "--port", str(port)],
        env,
        log=log,
    )
    try:
        wait_ready(base)
        measure(options, base, server.pid, hr_cookie, trainer_cookie, trainees, reverse)
        print("item statistics (in process, the function the page calls):")
        quiz = Quiz.objects.get(module__course__slug="bench-stats")
        times = []
        for _ in range(5):
            started = time.perf_counter()
            stats = quiz_statistics(quiz)
            times.append(time.perf_counter() - started)
        print(
            f"  {stats.attempts} first attempts x {len(stats.items)} questions: "
            f"best {min(times):.2f} s, worst {max(times):.2f} s "
            f"(target < {TARGETS['statistics_s']} s)"
        )
        page = timed(base, reverse("courses:statistics", args=[quiz.pk]), trainer_cookie, {}, 5)
        print(f"  the statistics page over HTTP: median {percentile(page, 50) / 1000:.2f} s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(options, base, pid, hr_cookie, trainer_cookie, trainees, reverse) -> None:
    import random

    from django.utils import timezone

    today = timezone.localdate()
    quarter = {
        "from": (today.replace(day=1) - timezone.timedelta(days=80)).isoformat(),
        "to": today.isoformat(),
    }
    combinations = [
        ("track", {}),
        ("cohort", {"cohort": "bench-c03"}),
        ("shop", {"shop": "鲜果园"}),
        ("period (last ~3 months)", quarter),
        ("cohort + period", {"cohort": "bench-c03", **quarter}),
        ("shop + period", {"shop": "鲜果园", **quarter}),
        ("cohort + shop + period", {"cohort": "bench-c03", "shop": "鲜果园", **quarter}),
    ]
    dashboard = reverse("certification:results")
    print(
        f"dashboard (target p95 <= {TARGETS['dashboard']:.0f} ms), {options.repeat} requests each:"
    )
    print("| viewer | filters | p50 ms | p95 ms | max ms |")
    print("| --- | --- | --- | --- | --- |")
    for viewer, cookie in (("HR", hr_cookie), ("trainer (2 cohorts)", trainer_cookie)):
        for name, params in combinations:
            if viewer != "HR" and name not in ("track", "period (last ~3 months)"):
                continue
            times = timed(
                base,
                dashboard,
                cookie,
                {"track": "cs-onboarding-certification", **params},
                options.repeat,
            )
            print(
                f"| {viewer} | {name} | {percentile(times, 50):.0f} | {percentile(times, 95):.0f} "
                f"| {max(times):.0f} |",
                flush=True,
            )
    rng = random.Random(7)
    picked = rng.sample(trainees, min(options.drilldowns, len(trainees)))
    times = []
    for pk in picked:
        status, _size, ms = fetch(
            base,
            reverse("certification:results_trainee", args=[pk]),
            hr_cookie,
            {"track": "cs-onboarding-certification"},
        )
        assert status == 200
        times.append(ms)
    print(
        f"drill-down, {len(picked)} trainees (target p95 <= {TARGETS['drilldown']:.0f} ms): "
        f"p50 {percentile(times, 50):.0f} ms, p95 {percentile(times, 95):.0f} ms, "
        f"max {max(times):.0f} ms"
    )
    print(f"exports (target: memory growth < {TARGETS['export_mb']:.0f} MB):")
    small = {"track": "cs-onboarding-certification", "cohort": "bench-c03"}
    for route in ("certification:results_export_sessions", "certification:results_export"):
        for fmt in ("csv", "xlsx"):
            export_memory(base, reverse(route, args=[fmt]), hr_cookie, small, pid)  # warm-up
            result = export_memory(
                base,
                reverse(route, args=[fmt]),
                hr_cookie,
                {"track": "cs-onboarding-certification"},
                pid,
            )
            rows = "every conversation" if route.endswith("sessions") else "every trainee"
            if fmt == "csv":
                rows += f" ({fetch.lines - 1} rows)"
            print(
                f"  {rows}, {fmt}: {result['bytes'] / 1e6:.1f} MB in {result['seconds']:.1f} s, "
                f"server RSS {result['rss_before_mb']:.0f} MB before, "
                f"growth {result['growth_mb']:.1f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
