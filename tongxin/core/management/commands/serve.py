"""`tongxin serve`: the development and demo server, with a background worker beside it.

Runs Django's runserver (no autoreload) and a django-tasks `db_worker` as two child processes
and stops both on Ctrl-C, so background imports run while you click. It does not migrate.
Production uses gunicorn and `tongxin db_worker` instead (see README).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

# How long the worker may take to finish the task it is running after Ctrl-C.
WORKER_GRACE_SECONDS = 30
POLL_SECONDS = 0.2


def _prepare_child() -> None:
    # Started from a script in the background, we may have inherited an ignored SIGINT; the
    # children must still stop when told to.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # Linux: a child gets SIGTERM if `serve` itself is killed, so nothing is left running.
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")
    # This server speaks plain http on a local address: a Secure session cookie would never
    # come back and nobody could log in. Production (https behind gunicorn) keeps the default.
    env.setdefault("TONGXIN_SECURE_COOKIES", "0")
    return env


def _start(args: list[str]) -> subprocess.Popen:
    # Own process group: Ctrl-C reaches only `serve`, which then signals each child exactly
    # once (a second SIGINT would make the worker abandon the task it is running).
    return subprocess.Popen(  # noqa: S603  (our own interpreter and command, fixed arguments)
        [sys.executable, "-m", "tongxin", *args],
        env=_child_env(),
        process_group=0,
        preexec_fn=_prepare_child,  # safe: no threads exist yet in this process
    )


def _signal(proc: subprocess.Popen, sig: int) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)


def _wait(procs: list[subprocess.Popen], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(p.poll() is not None for p in procs):
            return True
        time.sleep(POLL_SECONDS)
    return all(p.poll() is not None for p in procs)


@contextlib.contextmanager
def _stop_signals() -> Iterator[None]:
    """Ctrl-C and `kill <pid>` both stop the server cleanly (even when a shell started us in
    the background with SIGINT ignored)."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def serve(host: str = "127.0.0.1", port: int = 8000, *, stdout: TextIO | Any = None) -> int:
    """Run the web server and the worker until Ctrl-C (or one of them stops); the exit code."""
    write: Callable[[str], Any] = (stdout or sys.stdout).write
    # WhiteNoise warns about a missing STATIC_ROOT on every start until collectstatic has run.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    web = _start(["runserver", address, "--noreload"])
    worker = _start(["db_worker", "--no-reload", "--no-startup-delay"])
    procs = [web, worker]
    code = 0
    with _stop_signals():
        try:
            while True:
                stopped = [p for p in procs if p.poll() is not None]
                if stopped:
                    name = "runserver" if stopped[0] is web else "db_worker"
                    code = stopped[0].returncode or 1
                    message = _("%(name)s 已退出（代码 %(code)s），正在停止服务……")
                    write(message % {"name": name, "code": stopped[0].returncode} + "\n")
                    break
                time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            write(_("\n正在停止网页服务和后台任务……（再按一次 Ctrl-C 立即停止）\n"))
        try:
            # The web server has nothing to finish; the worker finishes its current task.
            _signal(web, signal.SIGTERM)
            _signal(worker, signal.SIGINT)
            if not _wait([web], 10):
                web.kill()
            if not _wait([worker], WORKER_GRACE_SECONDS):
                worker.kill()
        except KeyboardInterrupt:
            for p in procs:
                if p.poll() is None:
                    p.kill()
        for p in procs:
            p.wait()
    return code


class Command(BaseCommand):
    help = (
        "开发/演示服务器：网页服务（runserver，不自动重载）加后台任务进程（db_worker）。"
        "不执行迁移。"
    )

    requires_migrations_checks = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("监听地址（默认 127.0.0.1）"))
        parser.add_argument("--port", type=int, default=8000, help=_("端口（默认 8000）"))

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        self.stdout.write(
            _("同心 Tongxin：http://%(host)s:%(port)s/ （按 Ctrl-C 停止）")
            % {"host": host, "port": port}
        )
        code = serve(host, port, stdout=self.stdout)
        if code:
            sys.exit(code)
