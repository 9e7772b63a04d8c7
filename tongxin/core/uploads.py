"""Bounds on uploaded files, read before any of them is parsed (settings; docs/security.md).

An .xlsx is a zip archive: a 1 MB file can hold a 1 GB cell. The sizes the archive declares
are checked before anything is decompressed (Python's zipfile never inflates a member past
its declared size), so a zip bomb is refused in milliseconds with a clear message.
"""

import zipfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024


class UploadRejected(ValueError):
    """An upload over a configured bound; the message says which, in Chinese."""


def max_bytes() -> int:
    return int(getattr(settings, "TONGXIN_UPLOAD_MAX_BYTES", 20 * MB))


def max_uncompressed_bytes() -> int:
    return int(getattr(settings, "TONGXIN_UPLOAD_MAX_UNCOMPRESSED_BYTES", 200 * MB))


def max_rows() -> int:
    return int(getattr(settings, "TONGXIN_IMPORT_MAX_ROWS", 100_000))


def max_cell_chars() -> int:
    return int(getattr(settings, "TONGXIN_IMPORT_MAX_CELL_CHARS", 1000))


def check_size(size: int | None) -> None:
    limit = max_bytes()
    if size is not None and size > limit:
        raise UploadRejected(
            _("文件过大（%(size).1f MB），上限为 %(limit)d MB，请拆分后分批上传。")
            % {"size": size / MB, "limit": limit // MB}
        )


def check_archive(source: str | Path | IO[bytes]) -> None:
    """Refuse an .xlsx whose contents would decompress past the bound."""
    try:
        with zipfile.ZipFile(source) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not readable as a zip: the reader says so in its own words
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    if declared > max_uncompressed_bytes():
        raise UploadRejected(
            _("文件解压后过大（超过 %(limit)d MB），可能已损坏或含异常内容，已拒绝。")
            % {"limit": max_uncompressed_bytes() // MB}
        )
