"""Benchmark: a county's day-0 imports (places, units, staff) and a re-run, on fresh SQLite.

    .venv/bin/python bench/setup_imports.py [--estates 500] [--staff 1000] [--no-docs]

Generates three CSV files into bench/out/: the places sheet (townships, communities and
estates with codes and coordinates), the 包干表 (one unit per five estates) and the staff list
(a leader per unit, then grid staff with a grid role on an estate and six buildings each,
"1-6幢", so the buildings are created too). Migrates a fresh SQLite database in a temporary
data directory, sets up the county with `tongxin setup county`, then times each import in
process, and each again (a re-import that changes nothing). Figures go into
docs/performance.md between the setup-imports markers.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))
import import_residents  # noqa: E402
from import_residents import _machine, _update_doc  # noqa: E402

BEGIN, END = "<!-- bench:setup_imports -->", "<!-- /bench:setup_imports -->"


def generate(estates: int, staff: int) -> dict[str, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    townships = max(1, estates // 50)
    places = ["乡镇街道,社区/村,小区/自然村,行政区划代码,经度,纬度"]
    estate_rows = []
    for e in range(estates):
        t, c = e % townships, (e // townships) % 10
        row = (f"第{t + 1}街道", f"第{t + 1}街道{c + 1}社区", f"小区{e + 1}")
        estate_rows.append(row)
        code = f"330824{t + 1:03d}{c + 1:03d}"
        places.append(f"{row[0]},{row[1]},{row[2]},{code},118.{e % 1000:03d},29.{e % 1000:03d}")
    units = ["包干单位,乡镇街道,社区/村,小区/自然村,开始日期"]
    unit_names = []
    for i, row in enumerate(estate_rows):
        name = f"县第{i // 5 + 1}局"
        if name not in unit_names:
            unit_names.append(name)
        units.append(f"{name},{row[0]},{row[1]},{row[2]},2022-03-14")
    people = ["姓名,手机号,单位,角色,网格角色,网格,包楼"]
    for i in range(staff):
        unit = unit_names[i % len(unit_names)]
        phone = f"139{i:08d}"
        if i < len(unit_names):
            people.append(f"负责人{i},{phone},{unit},包干单位负责人,,,")
            continue
        row = estate_rows[(i % len(unit_names)) * 5 + i % 5]
        grid = "/".join(row)
        people.append(f"网格员{i},{phone},{unit},网格员,专职网格员,{grid},1-6幢")
    files = {}
    for kind, lines in (("places", places), ("units", units), ("staff", people)):
        path = OUT / f"setup-{kind}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files[kind] = path
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--estates", type=int, default=500)
    parser.add_argument("--staff", type=int, default=1000)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    files = generate(args.estates, args.staff)
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-setup-") as data_dir:
        os.environ["TONGXIN_DATA_DIR"] = data_dir
        os.environ.pop("TONGXIN_DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "tongxin.settings"
        os.environ.setdefault("TONGXIN_LOG_LEVEL", "WARNING")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("setup", "county", "--name", "开化县", "--code", "330824", "--json")
        from tongxin.imports.services.setup import import_setup

        lines = []
        for kind in ("places", "units", "staff"):
            for attempt in ("first", "again"):
                started = time.perf_counter()
                result = import_setup(kind, files[kind], deliver="print", links=[])
                seconds = time.perf_counter() - started
                counts = result.as_dict()
                lines.append(
                    f"| {kind} ({attempt}) | {counts['rows']:,} | {seconds:.2f} s | "
                    f"{counts['rows'] / seconds:,.0f} | created {counts['created']}, "
                    f"unchanged {counts['unchanged']}, rejected {counts['rejected']} |"
                )
                print(lines[-1])
    section = "\n".join(
        [
            "## Day-0 imports: places, units, staff (`make bench`, bench/setup_imports.py)",
            "",
            f"{args.estates} estates, {args.estates // 5} units, {args.staff} staff (grid staff "
            "with a grid role and six buildings each), fresh SQLite, in process. Measured on a "
            "shared, loaded machine: " + _machine() + ".",
            "",
            "| import | rows | time | rows/s | outcome |",
            "|---|---|---|---|---|",
            *lines,
        ]
    )
    if not args.no_docs:
        import_residents.BEGIN, import_residents.END = BEGIN, END
        _update_doc(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
