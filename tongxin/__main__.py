"""The `tongxin` console command: every Django management command, plus the project's own."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "tongxin"
    # Django answers `help` itself; `tongxin help stats` is the help platform's figures.
    if argv[1:3] == ["help", "stats"]:
        argv[1] = "helpdesk"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
