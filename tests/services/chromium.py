"""Test service: chromium (see module docstring of the fixture when filled in)."""
