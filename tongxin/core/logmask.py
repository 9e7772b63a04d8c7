"""Log lines never carry an ID number or a phone: a search typed into a URL, an ID in a path.

The filter rewrites each record's message (the access log's request line included, decoded
first so %-escapes cannot hide digits) with the same masker the pages use.
"""

import logging
from typing import Any
from urllib.parse import unquote_plus

from tongxin.core.masking import mask_in_text


def mask_line(text: str) -> str:
    return mask_in_text(unquote_plus(text))


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logged as it is, not dropped
            return True
        masked = mask_line(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True


def _mask_atoms(atoms: dict[str, Any]) -> dict[str, Any]:
    return {k: mask_line(v) if isinstance(v, str) else v for k, v in atoms.items()}


try:  # gunicorn: `--logger-class tongxin.core.logmask.MaskingGunicornLogger`
    from gunicorn.glogging import Logger as _GunicornLogger

    class MaskingGunicornLogger(_GunicornLogger):
        def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> Any:
            return _mask_atoms(super().atoms(resp, req, environ, request_time))

except ImportError:  # pragma: no cover  (gunicorn is a dependency)
    pass
