"""Derivation alone, on a database `bench/tracing.py` has seeded and imported: a case with 20
stays derived, 50 of its 密接 confirmed, their 次密接 derived, all in a transaction rolled back
afterwards, so it can be repeated on the same data (before/after comparisons of derive.py).

    .venv/bin/python bench/tracing_derive.py --db tx_tp11_bench [--cprofile]

Takes the keys from bench/out/tracing (where bench/tracing.py wrote them). Prints the wall
seconds and the CPU seconds (this process, and the PostgreSQL backend read from /proc) of
each derivation, and what the deferred foreign-key checks of the rows written cost (they
run at COMMIT, which this script never reaches: measured by `SET CONSTRAINTS ALL IMMEDIATE`).
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _RolledBack(Exception):
    pass


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--db", default="tx_i11_bench")
    p.add_argument("--data-dir", default=str(ROOT / "bench" / "out" / "tracing"))
    p.add_argument("--cprofile", action="store_true", help="print the 45 costliest functions")
    args = p.parse_args()
    os.environ.update(
        {
            "TONGXIN_DATABASE_URL": f"{args.pg}/{args.db}",
            "TONGXIN_DATA_DIR": args.data_dir,
            "TONGXIN_DEBUG": "0",
            "TONGXIN_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "tongxin.settings",
        }
    )
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    import django

    django.setup()
    import tracing  # bench/tracing.py
    from django.db import transaction

    from tongxin.audit.context import Actor, acting_as

    profile = cProfile.Profile()
    with acting_as(Actor(user=None, label="bench", channel="cli")):
        incident = tracing.venue_incident()
        try:
            with transaction.atomic():
                if args.cprofile:
                    profile.enable()
                figures = tracing.derive_timings(incident)
                profile.disable()
                figures.pop("plan")
                # What a commit would add: the deferred foreign-key checks of every row the
                # two derivations (and the confirmation) wrote, run now instead of at COMMIT.
                from django.db import connection

                pg = tracing.backend_cpu(connection)
                t, b = time.monotonic(), pg()
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                figures["deferred_checks"] = {
                    "seconds": round(time.monotonic() - t, 2),
                    "backend_cpu": round(pg() - b, 2),
                }
                print(figures)
                raise _RolledBack
        except _RolledBack:
            pass
    if args.cprofile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
