"""Benchmark: import a 13,000-row residents workbook into a fresh SQLite database.

    .venv/bin/python bench/import_residents.py [--rows 13000] [--no-docs]

Generates a realistic messy workbook into bench/out/ (a title row above the header, synonyms
for the headers, building labels written five ways, stairwells as 1 / 1单元 / 一单元, padded
names, phones with spaces or stored as numbers, extra columns, and about 1.5% bad rows:
missing names, wrong check digits, ID numbers Excel stored as numbers, missing rooms,
repeated rows and household conflicts), migrates a fresh SQLite database in a temporary data
directory, then times

1. the first import (in process: reading the file, creating ~4,000 households and their
   buildings, estates and communities, 13,000 people, and the audit events),
2. the re-import of the same file (everything unchanged),
3. the first import again through the console command on another fresh database
   (`tongxin import residents FILE --json`, wall clock including Python and Django start-up).

The figures are written into docs/performance.md (between the import-benchmark markers).
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:import_residents -->", "<!-- /bench:import_residents -->"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕晓红玉兰凤英文丽建平金凤春梅子涵雨涵浩然宇轩欣怡梓涵一诺思远嘉怡俊杰"  # noqa: E501


sys.path.insert(0, str(ROOT))
from tongxin.core.idnumbers import check_char  # noqa: E402  (plain function, no Django)


def id_number(rng: random.Random, used: set[str]) -> str:
    while True:
        birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randint(0, 32000))
        region = rng.choice(["330824", "330802", "330803", "330822", "330881", "362330"])
        first17 = f"{region}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        number = first17 + check_char(first17)
        if number not in used:
            used.add(number)
            return number


def building_text(rng: random.Random, n: int, rural: bool) -> object:
    if rural:
        return rng.choice([f"{n}组", f"{n}组", f"第{n}组", n])
    return rng.choice([n, f"{n}幢", f"{n}栋", f"{n}号楼", f"{n}号", f"{n}幢", f"{n}幢"])


def stairwell_text(rng: random.Random, n: int) -> object:
    cn = "零一二三四五六七八九"
    return rng.choice([n, f"{n}单元", f"{n}单元", f"{cn[n]}单元"])


def phone_text(rng: random.Random) -> object:
    number = rng.choice(["138", "139", "150", "158", "186", "188", "135", "177"]) + "".join(
        rng.choice("0123456789") for _ in range(8)
    )
    roll = rng.random()
    if roll < 0.15:
        return ""
    if roll < 0.20:
        return int(number)  # typed into a number-formatted column
    if roll < 0.25:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if roll < 0.27:
        return number[:7]  # a bad phone: a warning, the person is kept
    return number


def generate(path: Path, rows: int, seed: int = 20220315) -> dict[str, int]:
    from openpyxl import Workbook

    rng = random.Random(seed)
    used: set[str] = set()
    townships = {
        "芹阳办事处": ["东门社区", "西门社区", "城北社区", "城南社区"],
        "华埠镇": ["华丰村", "华民村", "新青村"],
    }
    estates: list[tuple[str, str, str, bool, int, int]] = []  # + rural, buildings, stairwells
    for township, communities in townships.items():
        for community in communities:
            rural = community.endswith("村")
            names = (
                [f"{community[:-1]}{s}" for s in ("上村", "下村", "新村")]
                if rural
                else [f"{community[:2]}{s}" for s in ("花园", "新苑", "小区", "家园")]
            )
            for name in names:
                buildings = rng.randint(6, 14) if rural else rng.randint(4, 12)
                stairwells = 0 if rural else rng.randint(1, 3)
                estates.append((township, community, name, rural, buildings, stairwells))

    def new_household() -> tuple[tuple[str, str, str, bool], int, int | None, int]:
        township, community, estate, rural, buildings, stairwells = rng.choice(estates)
        b = rng.randint(1, buildings)
        s = rng.randint(1, stairwells) if stairwells else None
        room = rng.randint(1, 60) if rural else rng.randint(1, 18) * 100 + rng.randint(1, 4)
        return (township, community, estate, rural), b, s, room

    statuses = ["常住"] * 12 + ["", "", "登记未常住", "外出", "暂住", "在外务工"]
    header_title = ["开化县居民信息登记表（2022年3月）"]
    header = ["序号", "姓名", "身份证号", "联系电话", "所属街道", "社区", "小区名称", "楼栋",
              "单元", "室号", "人员状态", "备注"]  # fmt: skip
    data: list[list[object]] = []
    households: set[tuple[object, ...]] = set()
    while len(data) < rows:
        (township, community, estate, rural), b, s, room = new_household()
        if (estate, b, s, room) in households:
            continue  # each household's people are listed together, as in a real register
        households.add((estate, b, s, room))
        for _ in range(rng.choice([1, 2, 3, 3, 4, 4, 5])):
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN) for _ in range(rng.randint(1, 2))
            )
            if len(name) == 2 and rng.random() < 0.2:
                name = f"{name[0]}  {name[1]}"
            blank_area = rng.random() < 0.03
            data.append(
                [
                    len(data) + 1,
                    name,
                    id_number(rng, used),
                    phone_text(rng),
                    "" if blank_area else township,
                    "" if blank_area else community,
                    estate,
                    building_text(rng, b, rural),
                    stairwell_text(rng, s) if s else "",
                    f"{room}室" if rng.random() < 0.3 and not rural else room,
                    rng.choice(statuses),
                    rng.choice(["", "", "", "独居老人", "租户"]),
                ]
            )
            if len(data) >= rows:
                break

    bad = {"missing_name": 0, "bad_check_digit": 0, "id_as_number": 0, "missing_room": 0,
           "repeated": 0, "conflict": 0}  # fmt: skip
    for i in rng.sample(range(len(data)), k=len(data) * 3 // 200):
        row = data[i]
        kind = rng.choice(list(bad))
        bad[kind] += 1
        if kind == "missing_name":
            row[1] = ""
        elif kind == "bad_check_digit":
            number = str(row[2])
            row[2] = number[:17] + ("0" if number[17] != "0" else "1")
        elif kind == "id_as_number":
            row[2] = float(str(row[2])[:17] + "0")
        elif kind == "missing_room":
            row[9] = ""
        elif kind == "repeated":
            data[i] = list(data[i - 1])
        elif kind == "conflict":
            other = data[rng.randrange(len(data))]
            row[2] = other[2]

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民")
    sheet.append(header_title)
    sheet.append(header)
    for row in data:
        sheet.append(row)
    workbook.save(path)
    return {"rows": len(data), "households": len(households), "estates": len(estates), **bad}


def _setup_django(data_dir: Path) -> None:
    os.environ["TONGXIN_DATA_DIR"] = str(data_dir)
    os.environ.pop("TONGXIN_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongxin.settings"
    os.environ.setdefault("TONGXIN_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tongxin.places.services import create_county

    create_county("开化县", "330824")


def _cli_run(workbook: Path) -> tuple[float, dict[str, object]]:
    """The first import through the console command, on its own fresh database."""
    tongxin = ROOT / ".venv" / "bin" / "tongxin"
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-cli-") as data_dir:
        env = {**os.environ, "TONGXIN_DATA_DIR": data_dir}
        env.pop("TONGXIN_DATABASE_URL", None)
        subprocess.run([str(tongxin), "migrate", "-v", "0"], env=env, check=True)
        subprocess.run(
            [str(tongxin), "setup", "county", "--name", "开化县", "--code", "330824"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(
            [str(tongxin), "import", "residents", str(workbook), "--json"],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        return time.perf_counter() - started, json.loads(done.stdout)


def _line(what: str, seconds: float, rows: int, cpu: float | None = None) -> str:
    cpu_text = f"{cpu:.2f} s" if cpu is not None else ""
    return f"| {what} | {seconds:.2f} s | {rows / seconds:,.0f} | {cpu_text} |"


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


def _update_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    block = f"{BEGIN}\n{section.rstrip()}\n{END}"
    if BEGIN in text and END in text:
        text = re.sub(
            re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, text, flags=re.S
        )
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=13000)
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    parser.add_argument("--no-cli", action="store_true", help="skip the console-command run")
    parser.add_argument("--profile", action="store_true", help="cProfile the first import")
    args = parser.parse_args()

    workbook = OUT / f"residents_{args.rows}.xlsx"
    made = generate(workbook, args.rows)
    print(f"generated {workbook.relative_to(ROOT)}: {made}")

    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as data_dir:
        _setup_django(Path(data_dir))
        from tongxin.imports.services import import_residents
        from tongxin.people.models import Person
        from tongxin.places.models import Place

        started, cpu = time.perf_counter(), time.process_time()
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            first = profiler.runcall(import_residents, workbook)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        else:
            first = import_residents(workbook)
        first_s, first_cpu = time.perf_counter() - started, time.process_time() - cpu
        people, places = Person.objects.count(), Place.objects.count()

        started, cpu = time.perf_counter(), time.process_time()
        again = import_residents(workbook)
        again_s, again_cpu = time.perf_counter() - started, time.process_time() - cpu

    rows = first.rows
    load = os.getloadavg()[0]
    print(f"first import: {rows} rows in {first_s:.2f} s = {rows / first_s:,.0f} rows/s")
    print(f"  CPU {first_cpu:.2f} s; load average {load:.1f} (other work on the machine)")
    print(f"  {json.dumps(first.as_dict(), ensure_ascii=False)}")
    print(f"  {people} people, {places} places")
    print(f"re-import:    {rows} rows in {again_s:.2f} s = {rows / again_s:,.0f} rows/s")
    print(f"  CPU {again_cpu:.2f} s")
    print(f"  {json.dumps(again.as_dict(), ensure_ascii=False)}")
    cli_line = ""
    if not args.no_cli:
        cli_s, _summary = _cli_run(workbook)
        print(f"console command, first import: {cli_s:.2f} s = {rows / cli_s:,.0f} rows/s (wall)")
        cli_line = _line(
            "`tongxin import residents … --json`, first import, incl. start-up", cli_s, rows
        )
    assert again.created == again.updated == 0, "a re-import must change nothing"

    if not args.no_docs:
        _update_doc(
            f"""## Residents import (issue 2, section 6)

Target: at least 2,000 rows/s on SQLite for a 13,000-row workbook on a 2-core machine.

Command: `make bench` (= `.venv/bin/python bench/import_residents.py`), run on
{dt.date.today():%Y-%m-%d}, {_machine()}.

Workbook: {rows:,} rows, {made["households"]:,} households in {places:,} places (county,
2 townships, 7 communities/villages, {made["estates"]} estates/natural villages, their
buildings and stairwells), messy labels and about 1.5% bad rows; {people:,} people created.

| run | wall time | rows/s | CPU time |
|---|---|---|---|
{_line("first import (in process: read, place, create, audit)", first_s, rows, first_cpu)}
{_line("re-import of the same file (all unchanged)", again_s, rows, again_cpu)}
{cli_line}

Load average when measured: {load:.1f} (the machine is shared; wall time grows with it, CPU
time much less).

First import: `{json.dumps(first.as_dict(), ensure_ascii=False)}`
"""
        )
        print(f"updated {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
