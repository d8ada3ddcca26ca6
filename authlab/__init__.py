"""authlab: session vs token authentication, settled with measurements."""

__version__ = "0.1.0"
