"""The cloud topology from real parts: HAProxy in front of K server instances, a Redis
primary with a replica watched by Sentinels, Locust master and workers over TCP; each
"host" on its own loopback address (hosts.py). The experiments that break it live in
authlab.topology.experiments."""
