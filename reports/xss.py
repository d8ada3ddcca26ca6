"""What an injected script did, counted in one unit everywhere: tries, one per
configuration, browser and place the app kept the credential (a row of security.json's
xss section). Two questions per try: could the script read a working credential, and did
its own POST /transfer (with the user's credential, from the page) succeed."""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.load import RunData
from reports.metrics import configuration_info, security_rows, token_stolen, token_storage
from results_format.variant_names import is_copy


@dataclass(frozen=True)
class Place:
    """Tries where the app kept its credential in one place, and how many of them gave the
    script a working credential to take away."""

    name: str  # "an HttpOnly cookie", "localStorage", "memory"
    tries: int
    read: int


@dataclass(frozen=True)
class XssCounts:
    tries: int  # configuration x browser x storage
    acted: int  # the script's own POST /transfer answered 200
    browsers: tuple[str, ...]
    places: list[Place] = field(default_factory=list)

    @property
    def read(self) -> int:
        return sum(place.read for place in self.places)

    def place(self, name: str) -> Place | None:
        return next((p for p in self.places if p.name == name), None)


HTTPONLY = "an HttpOnly cookie"
# The security lab's token_storage words, as a reader says them.
PLACES = {"localStorage": "localStorage", "memory": "a page variable"}


def counts(run: RunData) -> XssCounts | None:
    """None when the run has no XSS results."""
    rows = [r for r in security_rows(run, "xss") if not is_copy(str(r.get("configuration")))]
    if not rows:
        return None
    info = configuration_info(run)
    tally: dict[str, list[int]] = {}
    acted = 0
    for row in rows:
        config = info.get(str(row.get("configuration")), {})
        transport = str(config.get("transport") or "")
        storage = token_storage(run, row)
        cookie = transport == "cookie" or storage == "cookie"
        place = HTTPONLY if cookie else PLACES.get(storage, storage)
        seen = tally.setdefault(place, [0, 0])
        seen[0] += 1
        seen[1] += int(token_stolen(row))
        acted += int(row.get("same_origin_transfer_status") == 200)
    browsers = tuple(sorted({str(r.get("browser")) for r in rows if r.get("browser")}))
    places = [Place(name, tries, read) for name, (tries, read) in tally.items()]
    return XssCounts(len(rows), acted, browsers, places)
