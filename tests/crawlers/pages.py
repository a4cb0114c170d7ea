"""Page fixtures shared by the extraction tests."""

from __future__ import annotations


def legacy_page(title: str, main: str) -> str:
    """A legacy page: the given <title>, a one-link nav bar (首页) and the given main part."""
    return (f"<html><head><title>{title}</title></head><body><div class='nav'><a href='/'>首页</a></div>"
            f"{main}</body></html>")
