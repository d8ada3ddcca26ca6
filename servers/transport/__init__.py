"""Where the credential travels: a cookie or an Authorization header."""

from servers.transport.base import Transport
from servers.transport.cookie import CookieTransport
from servers.transport.header import HeaderTransport

__all__ = ["CookieTransport", "HeaderTransport", "Transport"]
