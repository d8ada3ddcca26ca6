"""JWTs over PyJWT: keys bound to one algorithm each, strict claims, explicit types."""

from servers.tokens.codec import TokenCodec, TokenRejected
from servers.tokens.keys import KeyRing, SigningKey

__all__ = ["KeyRing", "SigningKey", "TokenCodec", "TokenRejected"]
