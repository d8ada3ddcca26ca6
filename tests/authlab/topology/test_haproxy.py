import subprocess

import pytest

from authlab.processes import ProcessGroup
from authlab.topology.haproxy import Backend, Balancer, config_text, find_haproxy

BACKENDS = [Backend("s0", "127.0.0.10", 8001), Backend("s1", "127.0.0.11", 8002)]


@pytest.mark.parametrize("routing", ["roundrobin", "sticky"])
def test_haproxy_accepts_the_configuration(topology_parts: None, tmp_path, routing) -> None:
    config = tmp_path / "haproxy.cfg"
    config.write_text(config_text(("127.0.0.2", 8000), BACKENDS, routing, tmp_path / "s.sock"))
    checked = subprocess.run(
        [str(find_haproxy()), "-c", "-f", str(config)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = config.read_text()
    assert ("cookie SRV insert" in text) == (routing == "sticky")
    assert "option httpchk GET /health" in text


def test_an_instance_that_does_not_answer_is_taken_out(
    topology_parts: None, nothing_left_behind: None, tmp_path
) -> None:
    """HAProxy's own checks decide: nothing listens on s1's port, so it goes DOWN (the
    balancer is not ready until every instance is UP, hence the short timeout)."""
    with ProcessGroup() as group:
        balancer = Balancer(group, tmp_path, BACKENDS[:1], "roundrobin")
        with pytest.raises(RuntimeError, match="did not start"):
            balancer.start(timeout=1.0)
        assert balancer.tracked is None or balancer.tracked.process.poll() is not None
