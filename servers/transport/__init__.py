"""Where the credential travels: a cookie or an Authorization header."""

from servers.transport.cookie import CookieTransport
from servers.transport.header import HeaderTransport
from servers.transport.protocol import Transport

__all__ = ["CookieTransport", "HeaderTransport", "Transport"]
