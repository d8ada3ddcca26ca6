"""Phase and primitive ids, the copy mark and the palette: built and read in one place."""

from __future__ import annotations

import pytest

from authlab.bench.variants import VARIANTS
from results_format import palette, phase_ids, primitive_ids
from results_format.variant_names import base_name, copy_name, is_copy


def test_a_jwt_verify_is_found_by_its_name_whatever_its_parentheses() -> None:
    written = primitive_ids.label(primitive_ids.jwt_verify("HS256"), "PyJWT + header checks")
    assert written == "JWT verify HS256 (PyJWT + header checks)"
    assert primitive_ids.matches(written, primitive_ids.jwt_verify("HS256"))
    assert not primitive_ids.matches(written, "JWT verify HS2")
    assert not primitive_ids.matches(written, primitive_ids.jwt_verify("HS512"))
    assert primitive_ids.verified_algorithm(written) == "HS256"


@pytest.mark.parametrize(
    "written", ["JWT sign ES256", "Redis GET, asyncio (hiredis)", "JWT verify"]
)
def test_only_a_jwt_verify_names_a_verified_algorithm(written: str) -> None:
    assert primitive_ids.verified_algorithm(written) is None


def test_a_copy_counts_for_its_base() -> None:
    assert copy_name("token-header", "ttl4") == "token-header@ttl4"
    assert base_name(copy_name("token-header", "ttl4")) == "token-header"
    assert base_name("session-lax") == "session-lax"
    assert is_copy("token-header@ttl4") and not is_copy("session-lax")


def test_phase_ids_are_distinct() -> None:
    assert len(set(phase_ids.ALL)) == len(phase_ids.ALL)
    assert phase_ids.ME_CLOSED in phase_ids.GET_ONLY


def test_every_lab_variant_has_its_own_colour_and_the_manifest_records_it() -> None:
    assert set(VARIANTS) <= set(palette.VARIANT_COLOURS)
    assert len(set(palette.VARIANT_COLOURS.values())) == len(palette.VARIANT_COLOURS)
    assert VARIANTS["token-eddsa"].describe()["colour"] == palette.VARIANT_COLOURS["token-eddsa"]


def test_a_name_outside_the_palette_keeps_one_colour() -> None:
    colour = palette.colour_of("node-session")
    assert colour in palette.EXTRA_COLOURS
    assert palette.colour_of("node-session") == colour
