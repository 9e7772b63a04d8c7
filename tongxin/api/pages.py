"""Page-number pagination with bounds: a page number past any real list (an offset the
database cannot hold) is the caller's error (422), never a server error."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 100_000


class BoundedPages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=500)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=50, max_page_size=500, **kwargs)
