"""The cloud topology's experiment cloud_store_down (authlab.topology.experiments)."""

from authlab.topology.bench import bench_runner

run_experiment = bench_runner("cloud_store_down")
