"""Test service: nginx (see module docstring of the fixture when filled in)."""
