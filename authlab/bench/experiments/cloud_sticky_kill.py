"""The cloud topology's experiment cloud_sticky_kill (authlab.topology.experiments)."""

from authlab.topology.bench import bench_runner

run_experiment = bench_runner("cloud_sticky_kill")
