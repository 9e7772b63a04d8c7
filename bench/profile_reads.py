"""CPU per read of the coverage pages a cadre refreshes during the surge, in process, on the
seeded bench database (after an upload has stored some samples, e.g.
`bench/sample_upload.py --reuse --events 60000 --upload-only --no-docs`).

    .venv/bin/python bench/profile_reads.py --db tx_bench --reads 40
    .venv/bin/python bench/profile_reads.py --db tx_bench --reads 40 --cprofile untested

Each read goes through Django's WSGI handler exactly as gunicorn calls it (every middleware,
the session or token, the view, the template, the response), not through the test client
(which records every template's context and would dominate the figures). The reads are those
bench/sample_upload.py's cadres make: the county summary (the API with a token, and the page
and its JSON with a session) and one estate's untested page (session), signed in as the
command post. Printed per read: the Python CPU (this process) and the PostgreSQL backend's CPU
(from /proc), and the wall time. `--cprofile KIND` profiles one kind (cumulative and own time
per function, also written to bench/out/profile_reads_<kind>.txt).
"""

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import sample_upload as su  # noqa: E402  (the seeded county, its environment)


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def htmx(target: str) -> dict[str, str]:
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tongxin_bench")
    parser.add_argument("--reads", type=int, default=40)
    parser.add_argument("--skip", type=int, default=3, help="warm-up reads of each kind")
    parser.add_argument("--cprofile", default="", help="profile this kind of read (cProfile)")
    parser.add_argument("--tree", default="", help="profile this kind of read (pyinstrument)")
    parser.add_argument("--kinds", default="", help="comma-separated kinds (default: all)")
    parser.add_argument("--estate", type=int, default=17, help="index of the estate in the seed")
    args = parser.parse_args()
    args.clients = 4
    env = su.environment(args)
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.urls import reverse

    from tongxin.accounts.models import ApiToken, User
    from tongxin.sampling.services.coverage import recount
    from tongxin.testing.models import TestRound

    info = json.loads((su.OUT / "seed.json").read_text())
    round_id = info["rounds"][0]
    recount(TestRound.objects.get(pk=round_id))
    call_command("createcachetable", verbosity=0)
    chief = User.objects.get(username="command")
    _token, key = ApiToken.issue(chief, "profile_reads")
    browser = DjangoClient()
    browser.force_login(chief)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    estate = info["estates"][args.estate][0]
    session = {"HTTP_COOKIE": cookie}
    coverage_url = reverse("sampling:coverage", args=[round_id])
    untested_url = reverse("sampling:untested", args=[round_id, estate])
    reads = {
        "summary_api": (
            f"/api/v1/sampling/rounds/{round_id}/coverage",
            {"HTTP_AUTHORIZATION": f"Bearer {key}"},
        ),
        "summary_page": (coverage_url, session),
        "summary_json": (reverse("sampling:coverage_json", args=[round_id]), session),
        "untested": (untested_url, session),
        # What an open page asks every 30 s: its region alone (htmx).
        "summary_htmx": (coverage_url, {**session, **htmx("coverage-figures")}),
        "untested_htmx": (untested_url, {**session, **htmx("untested-list")}),
    }
    handler = WSGIHandler()

    def get(path: str, headers: dict[str, str]) -> tuple[int, int, dict[str, str]]:
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
            **headers,
        }
        status: list[str] = []
        response_headers: dict[str, str] = {}

        def start_response(s: str, h: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(s)
            response_headers.update(h)

        body = b"".join(handler(environ, cast(Any, start_response)))
        return int(status[0].split()[0]), len(body), response_headers

    # The same, from a browser that has the figures of this window (If-None-Match).
    etag = get(*reads["summary_htmx"])[2].get("ETag")
    if etag:  # (code from before the pages refreshed themselves: no ETag)
        headers = {**reads["summary_htmx"][1], "HTTP_IF_NONE_MATCH": etag}
        reads["summary_304"] = (coverage_url, headers)
    if args.kinds:
        reads = {k: v for k, v in reads.items() if k in args.kinds.split(",")}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    import tongxin

    su.say(
        f"load average {os.getloadavg()[0]:.1f}; estate {estate}; {args.reads} reads each; "
        f"code in {Path(tongxin.__file__).parent}"
    )
    for kind, (path, headers) in reads.items():
        for _ in range(args.skip):
            code, size, _h = get(path, headers)
            assert code in (200, 304), (kind, code)
        profiler: Any = None
        if args.tree == kind:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
        elif args.cprofile == kind:
            import cProfile

            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
        py0, pg0, wall0 = time.process_time(), backend_cpu(backend), time.perf_counter()
        for _ in range(args.reads):
            code, size, answer = get(path, headers)
        py = time.process_time() - py0
        pg = backend_cpu(backend) - pg0
        wall = time.perf_counter() - wall0
        if profiler and args.tree == kind:
            profiler.stop()
            text = profiler.output_text(unicode=False, color=False, show_all=False)
            (ROOT / "bench" / "out" / f"profile_reads_{kind}_tree.txt").write_text(text)
            print(text)
            profiler = None
        elif profiler:
            profiler.disable()
        n = args.reads
        su.say(
            f"{kind:13} HTTP {code} {size / 1000:6.1f} KB  Python {1e3 * py / n:5.2f} ms  "
            f"PostgreSQL {1e3 * pg / n:5.2f} ms  wall {1e3 * wall / n:6.2f} ms  "
            f"(Cache-Control: {answer.get('Cache-Control', '')})"
        )
        if profiler:
            import pstats

            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text)
            stats.sort_stats("cumulative").print_stats(70)
            stats.sort_stats("tottime").print_stats(40)
            out = ROOT / "bench" / "out" / f"profile_reads_{kind}.txt"
            out.write_text(text.getvalue())
            print(text.getvalue())
    ApiToken.objects.filter(name="profile_reads").delete()


if __name__ == "__main__":
    main()
