import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")

application = get_wsgi_application()


def _freeze_loaded_code() -> None:
    """Load every URL's views now and move what was loaded out of the garbage collector's
    sight: a full collection then no longer walks Django's and the app's long-lived objects
    in the middle of a request (about 10% of the bulk upload's CPU, docs/performance.md)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every app's views)
    gc.collect()
    gc.freeze()


_freeze_loaded_code()
