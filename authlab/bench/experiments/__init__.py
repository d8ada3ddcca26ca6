"""Experiments beyond one server under load: primitive costs, sessions at scale,
scale-out without sticky routing, and a store outage."""
