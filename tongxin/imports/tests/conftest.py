from typing import Any

import pytest

from tongxin.places.models import Place
from tongxin.places.services import create_county


@pytest.fixture
def county(db: Any) -> Place:
    return create_county("开化县", "330824")
