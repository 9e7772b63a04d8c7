"""Logging filters.

A refused request (403: no permission, a failed CSRF check) is an everyday event, not an error:
Django logs PermissionDenied with its traceback, which buries the real errors in the log. The
filter keeps the one line ("Forbidden (Permission denied): /path") and drops the traceback.
"""

import logging


class ForbiddenOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
