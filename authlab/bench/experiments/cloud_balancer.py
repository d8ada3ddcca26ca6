"""The cloud topology's experiment cloud_balancer (authlab.topology.experiments)."""

from authlab.topology.bench import bench_runner

run_experiment = bench_runner("cloud_balancer")
