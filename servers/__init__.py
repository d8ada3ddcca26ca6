"""The two authlab servers and everything they share.

The session and token variants differ only in the credential: how it is made,
carried, checked and revoked. Everything else (routes, user store, metrics)
is shared so that a measured difference can only come from the credential.
"""
