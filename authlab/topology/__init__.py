"""The cloud topology from real parts: HAProxy in front of K server instances, a Redis
primary with a replica watched by Sentinels, Locust master and workers over TCP; each
"host" on its own loopback address (hosts.py). It knows nothing of the bench: the
experiments that break it are bench experiments (authlab/bench/experiments/cloud_*.py)."""
