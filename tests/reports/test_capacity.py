"""The capacity model's topology lines, from the cloud experiments' rows."""

from __future__ import annotations

from reports.capacity import topology_lines
from tests.reports.rules.crafted import FAILOVER, STICKY, cloud_run


def test_the_capacity_model_states_its_topology_and_the_measured_failover() -> None:
    assert topology_lines(cloud_run())[0].startswith("topology: K identical server instances")
    run = cloud_run(cloud_failover=FAILOVER, cloud_sticky_kill=STICKY)
    run.topology = {
        "cloud_failover session-redis": [
            {"role": "haproxy (roundrobin)", "address": "127.0.0.2:4000"},
            {"role": "sentinel", "address": "127.0.0.32:4001"},
        ]
    }
    lines = topology_lines(run)
    assert any("haproxy 127.0.0.2, sentinel 127.0.0.32" in line for line in lines)
    assert any("session-redis 3.0 s, token-hs256 2.9 s" in line for line in lines)
    assert any("session-memory 10 of 20 users" in line for line in lines)
