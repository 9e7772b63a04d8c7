"""`tongxin demo` and `tongxin serve` serve pages, run background jobs, and stop both on Ctrl-C.

These start the real commands as processes on a throwaway SQLite data dir (never the
database the rest of the suite may be using) and talk to them over HTTP.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tongxin.core.idnumbers import check_char
from tongxin.demo.county import DEMO_PASSWORD

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads child processes from /proc"
)


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TONGXIN_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(TONGXIN_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    return env


def _tongxin(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tongxin", *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _shell(data_dir: Path, code: str) -> str:
    return _tongxin(data_dir, "shell", "--no-imports", "-c", code).stdout.strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> dict[int, str]:
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found[int(stat.parent.name)] = cmdline
        except (OSError, IndexError, ValueError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Site:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode()

    def login(self, username: str, password: str) -> str:
        _status, _url, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(self.base + "/accounts/login/", data=data)  # noqa: S310
        with self.opener.open(request, timeout=10) as response:
            return response.geturl()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: Any) -> Path:
    path = tmp_path_factory.mktemp("tongxin-serve")
    _tongxin(path, "migrate", "--noinput")
    return path


@pytest.fixture
def running(data_dir: Path, request: Any) -> Iterator[tuple[subprocess.Popen, Site, Path, Path]]:
    """Starts the command given as the test's parameter and waits until it serves pages."""
    port = _free_port()
    args = [*request.param, "--port", str(port)]
    log = data_dir / f"{args[0]}-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tongxin", *args],
            env=_env(data_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    site = Site(port)
    # Generous: loading the demo county took 26 s idle and 66 s on a loaded CI machine, and a
    # live process is waited for; a dead one fails at once below.
    deadline = time.monotonic() + 300
    while True:
        try:
            if site.get("/accounts/login/")[0] == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"server did not start:\n{log.read_text()}")
        time.sleep(0.3)
    try:
        yield proc, site, log, data_dir
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _stop_with_ctrl_c(proc: subprocess.Popen) -> None:
    children = _children(proc.pid)
    assert any(" runserver " in c for c in children.values()), children
    assert any(" db_worker " in c for c in children.values()), children
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=45) == 0
    assert not [pid for pid in children if _alive(pid)]


@pytest.mark.parametrize("running", [["demo", "--scale", "0.01"]], indirect=True)
def test_demo_serves_the_county_to_a_demo_login_and_runs_imports(running: Any) -> None:
    proc, site, log, data_dir = running
    assert "unit_leader" in log.read_text()  # the logins table was printed before serving

    assert site.login("unit_leader", DEMO_PASSWORD).endswith("/")
    status, url, page = site.get("/")
    assert status == 200 and "/accounts/login/" not in url
    assert "同心" in page

    # A background job (the validation of an uploaded file) is picked up by the worker.
    number = "33089919800101123" + check_char("33089919800101123")
    csv = (
        "姓名,证件号码,乡镇街道,社区,小区,楼幢,单元,房号\n"
        f"测试,{number},城关街道,东城社区,城东嘉苑,1,1,101\n"
    )
    job = _shell(
        data_dir,
        "from django.core.files.base import ContentFile\n"
        "from tongxin.accounts.models import User\n"
        "from tongxin.imports.services import start_import_job\n"
        "user = User.objects.get(username='unit_leader')\n"
        f"print(start_import_job(user, ContentFile({csv.encode()!r}), 'x.csv').pk)",
    )
    deadline = time.monotonic() + 30
    status = "uploaded"
    while status in {"uploaded", "validating"} and time.monotonic() < deadline:
        time.sleep(0.5)
        status = _shell(
            data_dir,
            "from tongxin.imports.models import ImportJob\n"
            f"print(ImportJob.objects.get(pk={job}).status)",
        )
    assert status == "validated"

    _stop_with_ctrl_c(proc)


@pytest.mark.parametrize("running", [["serve"]], indirect=True)
def test_serve_serves_pages_and_stops_web_and_worker_on_ctrl_c(running: Any) -> None:
    proc, site, _log, _data_dir = running
    status, _url, page = site.get("/accounts/login/")
    assert status == 200 and "csrfmiddlewaretoken" in page
    assert site.get("/static/admin/css/base.css")[0] == 200  # WhiteNoise, without DEBUG
    _stop_with_ctrl_c(proc)
