"""The benchmark harness: every variant under the same load, everything recorded."""
