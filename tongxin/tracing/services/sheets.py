"""Reading the spreadsheets tracing imports (check-ins, venues, line listings, 协查 lists):
.xlsx or .csv (UTF-8 or GBK), the header row found by its names among the first rows."""

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _


class SheetError(ValueError):
    """A file that cannot be read at all (message in Chinese, for the user)."""


def header_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).lower()
    return re.sub(r"[\s*（）()_:：]", "", text)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


Source = bytes | BinaryIO | Path
SNIFF_CHUNK = 1 << 20


def _csv_encoding(stream: BinaryIO) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else GB 18030 (GBK's
    superset): checked a megabyte at a time, so a file of millions of rows is never held in
    memory. The stream is rewound."""
    for encoding in ("utf-8-sig", "gb18030"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(SNIFF_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        stream.seek(0)
        return encoding
    raise SheetError(_("无法识别文件编码，请另存为 UTF-8 的 CSV 文件"))


def _stream_rows(stream: BinaryIO, name: str) -> Iterator[list[Any]]:
    if name.lower().endswith((".xlsx", ".xlsm")):
        import openpyxl

        try:  # read-only mode: the sheet's XML is parsed as the rows are asked for
            book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception:
            raise SheetError(_("无法读取该 Excel 文件")) from None
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                yield list(row)
        finally:
            book.close()
        return
    text = io.TextIOWrapper(stream, encoding=_csv_encoding(stream), newline="")
    try:
        yield from csv.reader(text)
    except csv.Error as exc:
        raise SheetError(_("CSV文件格式有误：%(error)s") % {"error": str(exc)}) from exc
    finally:
        text.detach()  # the caller closes its own stream


def _raw_rows(source: Source, name: str) -> Iterator[list[Any]]:
    """The file's rows, read as they are consumed (bytes, an open binary file or a path)."""
    if isinstance(source, bytes):
        yield from _stream_rows(io.BytesIO(source), name)
    elif isinstance(source, Path):
        with source.open("rb") as stream:
            yield from _stream_rows(stream, name)
    else:
        yield from _stream_rows(source, name)


def read_rows(
    data: Source, name: str, synonyms: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> Iterator[dict[str, Any]]:
    """Each data row as {canonical key: cell value, "_row": its row number in the file},
    streamed: the file is read as the rows are consumed (bounded memory for any size)."""
    lookup = {header_key(s): key for key, names in synonyms.items() for s in names}
    rows = _raw_rows(data, name)
    keys: list[str | None] | None = None
    for number, values in enumerate(rows, start=1):
        if keys is None:
            found = [lookup.get(header_key(v)) for v in values]
            if all(r in found for r in required):
                keys = found
            elif number >= 10:
                break
            continue
        if all(cell(v) == "" for v in values):
            continue
        item: dict[str, Any] = {"_row": number}
        for key, value in zip(keys, values, strict=False):
            if key and key not in item:
                item[key] = value
        yield item
    if keys is None:
        names = "、".join(f"“{synonyms[r][0]}”" for r in required)
        raise SheetError(_("找不到表头：需要%(names)s等列") % {"names": names})


def parse_time(value: Any, tz: Any = None) -> "dt.datetime | None":
    """A cell or an API value as an aware datetime (naive values are in the county's zone):
    a datetime, "2022-03-09 10:05[:00]", "2022/3/9 10:05" or ISO 8601."""
    from django.utils import timezone

    if isinstance(value, str) and len(value) == 19 and value[10] == " " and value[4] == "-":
        try:  # the exports' own form, "2022-03-09 10:05:00": the fast path
            zone = tz or timezone.get_current_timezone()
            return dt.datetime.fromisoformat(value).replace(tzinfo=zone)
        except ValueError:
            pass
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    else:
        text = cell(value).replace("/", "-").replace("T", " ")
        if not text:
            return None
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})[ ]+(\d{1,2}):(\d{2})(?::(\d{2}))?(.*)", text)
        if m:
            y, mo, d, h, mi, s, rest = m.groups()
            text = f"{y}-{int(mo):02d}-{int(d):02d}T{int(h):02d}:{mi}:{s or '00'}{rest.strip()}"
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, tz)
    return parsed
