"""The three AuthStrategy implementations (servers.auth), one file each: session, token
and the no-auth baseline. servers.context picks one from the Settings."""
