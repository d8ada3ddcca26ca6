"""The security lab: attacks on each variant, run over real HTTP against a live server."""
