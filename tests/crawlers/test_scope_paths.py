"""Scope's shortcut for URLs on the home page's own scheme and host answers as the full host check does."""

from __future__ import annotations

import pytest

from crawlers.urls import Scope, _netloc

TRICKY = [
    "http://gov.example.cn:8080/", "http://gov.example.cn:8080", "http://gov.example.cn:8080/a/b.html?x=1",
    "http://gov.example.cn:8080?x=1", "http://gov.example.cn:8080#top", "http://gov.example.cn:80801/",
    "http://gov.example.cn:8080@evil.example/", "http://gov.example.cn:8080.evil.example/",
    "http://gov.example.cn/", "https://gov.example.cn:8080/", "http://GOV.example.cn:8080/x",
    "http://www.gov.example.cn/", "http://other.example/", "http://gov.example.cn:8080\\@evil/",
    "http://gov.example.cn:8080/admin/login.jsp", "http://gov.example.cn:8080/skip/1.html",
]


@pytest.mark.parametrize("home", ["http://gov.example.cn:8080/index.html", "http://gov.example.cn/"])
def test_shortcut_agrees_with_host_check(home: str) -> None:
    """Every tricky URL is in scope exactly when its host[:port] is one of the site's and no pattern excludes it."""
    scope = Scope.for_site(home, ["www.gov.example.cn"], [], [r"/admin/"])
    for url in TRICKY:
        expected = _netloc(url) in scope.hosts and "/admin/" not in url
        assert scope(url) is expected, url


def test_shortcut_needs_the_home_host_in_scope() -> None:
    """A scope built by hand whose home is not among its hosts gets no shortcut."""
    scope = Scope(hosts={"a.example"}, home="http://b.example")
    assert not scope("http://b.example/x")
    assert scope("http://a.example/x")
