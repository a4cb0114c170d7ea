"""Test service: wordpress (see module docstring of the fixture when filled in)."""
