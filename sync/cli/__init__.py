"""The `engage` command line: `app` assembles one module per command group."""
