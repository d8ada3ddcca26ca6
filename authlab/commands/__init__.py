"""One module per `authlab` command (cmd_<command>.py): each parses its arguments and calls
the code that does the work. authlab/cli.py assembles them into the one CLI."""
