"""The URL map as server configuration (nginx, Apache) or a CSV the office reviews and edits."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from sqlalchemy import select

from consolidate.core.cells import csv_row, from_csv_text
from consolidate.core.csvfile import csv_dicts
from consolidate.core.errors import ConsolidateError, InputFileError, UsageError
from consolidate.core.outcomes import OFFICE_NOTE
from consolidate.core.store import Resource, UrlHit, UrlMapRow, url_hash, utcnow
from consolidate.core.urls import canonical_url
from consolidate.core.workspace import Workspace, require_crawled
from consolidate.ledger import match_key

FORMATS = ("nginx", "apache", "csv")
STATUSES = ("301", "410", "unresolved")
UNRESOLVED_MODES = ("refuse", "home")
NGINX_HTTP = ["map_hash_bucket_size 256;", "map_hash_max_size 262144;"]  # http-level: once per http {}
NGINX_HTTP_FILE = "00-consolidate-http.conf"  # sorts before the sites' files in `include DIR/*.conf;`
CSV_HEADER = ["old_url", "new_url", "status", "note"]
URI_SAFE = "/?&=%:@!$'()*+,;~-._"
LOCATION_SAFE = "/?&=%:@!'()*+,;~-._#"  # no '$': a Location must never name a server variable
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PATH_UNSAFE = re.compile(r"[^A-Za-z0-9/._~-]")
NO_PUBLIC_URL = "the target gave no public URL for it"


class UnresolvedError(ConsolidateError):
    """A server config was asked for while legacy URLs are still undecided."""

    exit_code = 1


@dataclass
class RedirectCounts:
    """Legacy URLs of a site per outcome."""

    moved: int
    gone: int
    unresolved: int

    def text(self) -> str:
        """One line for the office."""
        return f"{self.moved} redirected (301), {self.gone} archived (410), {self.unresolved} unresolved"


@dataclass
class Redirect:
    """One legacy URL and its outcome."""

    old_url: str
    new_url: str | None
    status: str
    note: str | None


def public_url(url: str | None) -> bool:
    """True for an address a browser can be redirected to: an absolute http(s) URL or a path on the site ('/…')."""
    if not url or CONTROL.search(url):
        return False
    if url.startswith("/"):
        return not url.startswith("//")
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def public_outcome(new_url: str | None, status: str, note: str | None) -> tuple[str | None, str, str | None]:
    """A 301 to something that is not a public address (an exporter's '#key', a file name) is no redirect: the
    legacy URL stays unresolved, saying why, until the office decides it."""
    if status != "301" or public_url(new_url):
        return new_url, status, note
    return None, "unresolved", f"{NO_PUBLIC_URL} ({new_url!r}): decide it in the CSV, or push to a target that " \
                               "publishes pages"


def load_redirects(ws: Workspace, site_id: str) -> list[Redirect]:
    """The site's URL map, sorted by old URL."""
    ws.site(site_id)
    with ws.store.session() as session:
        rows = session.scalars(select(UrlMapRow).where(UrlMapRow.site_id == site_id)
                               .order_by(UrlMapRow.old_url)).all()
    if not rows:
        require_crawled(ws, site_id)  # never crawled: say so, not "push it"
        raise ConsolidateError(f"site {site_id!r} has no URL map yet", hint=f"run `consolidate push {site_id}` first")
    mapped = [Redirect(r.old_url, *public_outcome(r.new_url, r.status, r.note)) for r in rows]  # maps pushed before
    return sorted(mapped + _logged_unresolved(ws, site_id, {r.old_url for r in rows}), key=lambda r: r.old_url)


def _logged_unresolved(ws: Workspace, site_id: str, mapped: set[str]) -> list[Redirect]:
    """URLs only the server logs know, requested at least `programme.hit_threshold` times: unresolved until the
    office decides them (the URLs people use decide the redirect work)."""
    threshold = ws.config.programme.hit_threshold
    with ws.store.session() as session:
        hot = session.scalars(select(UrlHit).where(UrlHit.site_id == site_id, UrlHit.hits >= threshold)
                              .order_by(UrlHit.url)).all()
        crawled = set(session.scalars(select(Resource.url).where(Resource.site_id == site_id))) if hot else set()
    known = {url_hash(match_key(u)) for u in mapped | crawled}
    return [Redirect(h.url, None, "unresolved", f"requested {h.hits} times in the server logs, never crawled")
            for h in hot if h.url_hash not in known]


def request_uri(url: str) -> str:
    """The path and query of a URL as a client sends it (percent-encoded)."""
    parts = urlsplit(url)
    uri = quote(parts.path or "/", safe=URI_SAFE)
    return f"{uri}?{quote(parts.query, safe=URI_SAFE)}" if parts.query else uri


def count_redirects(redirects: list[Redirect]) -> RedirectCounts:
    """How many legacy URLs are redirected, archived and still unresolved."""
    return RedirectCounts(moved=sum(1 for r in redirects if r.status == "301" and r.new_url),
                          gone=sum(1 for r in redirects if r.status == "410"),
                          unresolved=sum(1 for r in redirects if r.status not in ("301", "410") or
                                         (r.status == "301" and not r.new_url)))


def site_new_home(ws: Workspace, site_id: str, redirects: list[Redirect]) -> str:
    """Where the legacy home page now redirects (the site's new home), else the portal."""
    home = canonical_url(ws.site(site_id).home_url)
    found = next((r.new_url for r in redirects if r.old_url == home and r.status == "301" and r.new_url), None)
    return found or ws.config.portal.base_url


def render(ws: Workspace, site_id: str, fmt: str, gone_page: str | None = None,
           unresolved: str = "refuse", shared_http: bool = False) -> str:
    """The URL map of a site in one of FORMATS; a server config is refused while URLs are unresolved, unless
    `unresolved` is 'home' (a temporary 302 to the site's new home, clearly marked). With `shared_http` an nginx
    file leaves its http-level settings to NGINX_HTTP_FILE (several sites' files in one http {})."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown redirect format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    if unresolved not in UNRESOLVED_MODES:
        raise UsageError(f"unknown --unresolved {unresolved!r}", hint=f"use one of: {', '.join(UNRESOLVED_MODES)}")
    redirects = load_redirects(ws, site_id)
    site = ws.site(site_id)
    if fmt == "csv":
        return render_csv(redirects)
    _check_safe(redirects, gone_page)
    tally = count_redirects(redirects)
    if tally.unresolved and unresolved == "refuse":
        raise UnresolvedError(f"{site_id}: {tally.text()} — no {fmt} config is written while legacy URLs are "
                              "unresolved (a 410 would erase them, a 301 would be permanent)",
                              hint=f"decide them (`consolidate messages {site_id}`, `consolidate map {site_id} "
                                   f"--unmapped`, or `redirects {site_id} --import` an edited CSV), or write them "
                                   "as a temporary 302 to the site's new home with --unresolved home")
    home = site_new_home(ws, site_id, redirects)
    fallback = ws.config.portal.base_url
    if fmt == "nginx":
        return render_nginx(site_id, site.home_url, site.aliases, redirects, fallback, gone_page, home, shared_http)
    return render_apache(redirects, fallback, gone_page, home)


def location(url: str) -> str:
    """A URL as a Location header carries it: non-ASCII characters and server-config metacharacters
    ('$', quotes, spaces, braces, backslashes) percent-encoded (UTF-8)."""
    return quote(url, safe=LOCATION_SAFE)


def _check_safe(redirects: list[Redirect], gone_page: str | None) -> None:
    """Refuse what no quoting makes safe in a server config: control characters in URLs, odd gone-page paths."""
    for r in redirects:
        for url in (r.old_url, r.new_url or ""):
            if CONTROL.search(url):
                raise ConsolidateError(f"URL with a control character cannot go into a server config: "
                                       f"{url!r}", hint="correct it in the URL map (`redirects --import`)")
    if gone_page is not None and (not gone_page.startswith("/") or PATH_UNSAFE.search(gone_page)):
        raise UsageError(f"--gone-page {gone_page!r} must be an absolute path of letters, digits and / . _ ~ -",
                         hint="e.g. --gone-page /var/www/moved.html")


def _unresolved(redirects: list[Redirect]) -> list[Redirect]:
    """The URLs nobody has decided yet."""
    return [r for r in redirects if r.status not in ("301", "410") or (r.status == "301" and not r.new_url)]


def render_csv(redirects: list[Redirect]) -> str:
    """old_url,new_url,status,note — for the office to review."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in redirects:
        writer.writerow(csv_row([r.old_url, r.new_url or "", r.status, r.note or ""]))  # '=…' stays text
    return buffer.getvalue()


def _nginx_string(value: str) -> str:
    """A double-quoted nginx string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nginx_http_settings() -> str:
    """The http-level settings the sites' redirect maps need, for NGINX_HTTP_FILE: nginx refuses a directive
    repeated in one http {}, so several sites' files cannot each carry them."""
    return ("# consolidate: http-level settings of the legacy sites' redirect maps (long URIs, many URLs).\n"
            "# Include this file ONCE in http {}, before the sites' files (`include redirects/*.conf;` does).\n"
            + "\n".join(NGINX_HTTP) + "\n")


def render_nginx(site_id: str, home_url: str, aliases: list[str], redirects: list[Redirect], fallback: str,
                 gone_page: str | None, home: str | None = None, shared_http: bool = False) -> str:
    """An nginx `map` of old request URIs plus a server block answering 301/410 (include it in `http {}`); with
    `shared_http` the http-level settings are left to NGINX_HTTP_FILE, included once."""
    var = "consolidate_" + "".join(c if c.isalnum() else "_" for c in site_id)
    hosts = {urlsplit(home_url).hostname or ""} | {urlsplit(a if "://" in a else f"http://{a}").hostname or ""
                                                  for a in aliases}
    port = urlsplit(home_url).port or 80
    lines = [f"# consolidate: redirects of legacy site {site_id} ({len(redirects)} URLs)",
             *([f"# needs {NGINX_HTTP_FILE} (beside this file) included once in http {{}}, before it"] if shared_http
               else ["# http-level (once per http {}): for several sites, `redirects --all -f nginx -o DIR` writes "
                     f"them once, in DIR/{NGINX_HTTP_FILE}", *NGINX_HTTP]),
             f"map $request_uri ${var}_target {{", '    default "";']
    lines += [f"    {_nginx_string(request_uri(r.old_url))} {_nginx_string(location(r.new_url))};"
              for r in redirects if r.status == "301" and r.new_url]
    lines += ["}", f"map $request_uri ${var}_gone {{", "    default 0;"]
    lines += [f"    {_nginx_string(request_uri(r.old_url))} 1;" for r in redirects if r.status == "410"]
    pending = _unresolved(redirects)
    if pending and home:
        lines += ["}", f"# UNRESOLVED: {len(pending)} legacy URLs not decided yet answer a TEMPORARY 302 to the "
                       "site's new home", f"map $request_uri ${var}_unresolved {{", "    default 0;"]
        lines += [f"    {_nginx_string(request_uri(r.old_url))} 1;" for r in pending]
    lines += ["}", "server {", f"    listen {port};", f"    server_name {' '.join(sorted(h for h in hosts if h))};",
              f"    if (${var}_target) {{ return 301 ${var}_target; }}",
              f"    if (${var}_gone) {{ return 410; }}"]
    if pending and home:
        lines.append(f"    if (${var}_unresolved) {{ return 302 {_nginx_string(location(home))}; }}  # UNRESOLVED")
    if gone_page:
        lines += ["    error_page 410 /__consolidate_moved.html;",
                  f"    location = /__consolidate_moved.html {{ internal; alias {gone_page}; }}"]
    lines += [f"    location / {{ return 301 {_nginx_string(location(fallback))}; }}", "}", ""]
    return "\n".join(lines)


def render_apache(redirects: list[Redirect], fallback: str, gone_page: str | None, home: str | None = None) -> str:
    """mod_rewrite rules for a VirtualHost of the legacy site."""
    lines = ["# consolidate: redirects (mod_rewrite)", "RewriteEngine On"]
    if gone_page:
        lines.append(f"ErrorDocument 410 {gone_page}")
    for r in redirects:
        if r.status == "301" and r.new_url:
            target = f'"{_apache_substitution(location(r.new_url))}" [R=301,L,QSD,NE]'
        elif r.status == "410":
            target = "- [G,L]"
        elif home:
            target = f'"{_apache_substitution(location(home))}" [R=302,L,QSD,NE]'
            lines.append("# UNRESOLVED: not decided yet — a TEMPORARY 302 to the site's new home")
        else:
            continue
        parts = urlsplit(r.old_url)
        path = "^" + _regex_escape(quote(parts.path or "/", safe=URI_SAFE)) + "$"
        query = f"^{_regex_escape(parts.query)}$" if parts.query else "^$"
        lines.append(f'RewriteCond "%{{QUERY_STRING}}" "{query}"')
        lines.append(f'RewriteRule "{path}" {target}')
    lines += [f'RewriteRule "^" "{_apache_substitution(location(fallback))}" [R=301,L,QSD,NE]', ""]
    return "\n".join(lines)


def _apache_substitution(url: str) -> str:
    """A RewriteRule substitution that stays literal: '$' and '%' (back-references, %{VARS}) backslash-escaped."""
    return url.replace("\\", "\\\\").replace("$", "\\$").replace("%", "\\%").replace('"', "%22")


def _regex_escape(text: str) -> str:
    """Escape a literal for a PCRE pattern in Apache config."""
    return "".join("\\" + c if c in r".^$*+?()[]{}|\"" else c for c in text)


@dataclass
class ImportSummary:
    """What an imported CSV changed."""

    changed: int
    unchanged: int


def import_csv(ws: Workspace, site_id: str, path: Path) -> ImportSummary:
    """Apply an edited CSV to the URL map; any bad row is an error naming it, and nothing changes."""
    existing = {r.old_url: r for r in load_redirects(ws, site_id)}
    rows = _read_csv(path)
    edits: dict[str, tuple[str | None, str, str | None]] = {}
    for number, row in rows:
        edits[row["old_url"]] = _validated(path, number, row, existing, edits)
    changed = 0
    with ws.store.session() as session:
        rows = {r.old_url: r for r in session.scalars(select(UrlMapRow).where(UrlMapRow.site_id == site_id))}
        for old_url, edit in edits.items():
            row = rows.get(old_url)
            if row is None and edit[1] == "unresolved":
                continue  # a logged URL left undecided stays out of the map
            if row is None:  # a URL only the server logs knew, now decided by the office
                row = UrlMapRow(site_id=site_id, old_url=old_url, url_hash=url_hash(old_url), status=edit[1])
                session.add(row)
            elif _same(row, edit):
                continue
            row.new_url, row.status = edit[0], edit[1]
            note = (edit[2] or "").removeprefix(OFFICE_NOTE).strip() or f"edited {utcnow():%Y-%m-%d}"
            row.note = f"{OFFICE_NOTE} {note}"
            changed += 1
    return ImportSummary(changed=changed, unchanged=len(edits) - changed)


def _same(row: UrlMapRow, edit: tuple[str | None, str, str | None]) -> bool:
    """True when an imported row says what the map already holds (an empty note changes nothing)."""
    new_url, status, note = edit
    stored_note = (row.note or "").removeprefix(OFFICE_NOTE).strip()
    given_note = (note or "").removeprefix(OFFICE_NOTE).strip()
    return (row.new_url, row.status) == (new_url, status) and (not given_note or given_note == stored_note)


def _read_csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of the CSV with their line numbers; the header must name old_url, new_url and status."""
    header, rows = csv_dicts(path)  # UTF-8 or GBK, as `map --import` reads
    missing = [h for h in CSV_HEADER[:3] if h not in header]
    if missing:
        raise InputFileError(f"{path}:1: missing column(s) {', '.join(missing)}",
                               hint=f"the header must be {','.join(CSV_HEADER)}")
    return [(line, {k: from_csv_text(v.strip()) for k, v in row.items()}) for line, row in rows
            if any(v.strip() for v in row.values())]


def _validated(path: Path, number: int, row: dict[str, str], existing: dict[str, Redirect],
               seen: dict[str, tuple[str | None, str, str | None]]) -> tuple[str | None, str, str | None]:
    """One CSV row checked: a known old URL, once, a valid status, a new URL exactly for 301."""
    where = f"{path}:{number}"
    old, new, status = row.get("old_url", ""), row.get("new_url", ""), row.get("status", "")
    if old not in existing:
        raise InputFileError(f"{where}: old_url {old!r} is not a URL of this site's map",
                               hint="only edit new_url, status and note; keep old_url as exported")
    if old in seen:
        raise InputFileError(f"{where}: old_url {old!r} appears twice", hint="keep one row per legacy URL")
    if status not in STATUSES:
        raise InputFileError(f"{where}: status {status!r} is not one of {', '.join(STATUSES)}",
                               hint="301 needs a new_url; 410 means archived/gone")
    if status == "301" and not new.startswith(("http://", "https://")):
        raise InputFileError(f"{where}: status 301 needs an absolute new_url", hint="e.g. https://portal/…")
    if status != "301" and new:
        raise InputFileError(f"{where}: new_url given with status {status}", hint="use 301, or clear new_url")
    return (new or None, status, row.get("note") or None)
