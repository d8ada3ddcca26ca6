"""The contract walk with the user store (and the SQL session store) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from servers.config import Settings
from tests.servers.test_contract import VARIANTS, Variant, by_name, walk

pytestmark = pytest.mark.postgres

ON_POSTGRES = [variant for variant in VARIANTS if variant.name in {"session-sql", "token-HS256"}]


@by_name(ON_POSTGRES)
def test_walk_on_postgres(
    make_settings: Callable[..., Settings],
    live_server: Callable[[Settings], str],
    postgres_url: str,
    variant: Variant,
) -> None:
    settings = make_settings(**variant.overrides, database_url=postgres_url)
    assert settings.database_url.startswith("postgresql://")
    walk(live_server(settings), variant)
