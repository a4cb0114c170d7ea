"""The map stage: legacy columns with their figures and flags, the recorded decision for each, the office's
sign-off sheet, article routing and duplicate links."""

from __future__ import annotations

import datetime as dt
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select

from consolidate.core.config import DEFAULT_ROUTING, AuditSettings, ColumnPlace, Config, RoutingRule, Site
from consolidate.core.errors import ConsolidateError, InputFileError
from consolidate.core.outcomes import IN_TARGET, SYSTEM_DECIDERS
from consolidate.core.store import (
    ArticleRow,
    ColumnMapping,
    ColumnRow,
    InteractionRow,
    PushRecord,
    Resource,
    SiteRow,
    utcnow,
)
from consolidate.core.workspace import Workspace, require_crawled
from consolidate.holds import same_body_hold
from consolidate.interaction import latest_date, record_pages, stored_records
from consolidate.renames import FOLLOWER, rename_sources, renamed_reason, site_former_names
from crawlers.incremental import still_vanished
from mappers.audit import VETO_EMPTY, VETO_STALE, days_idle, is_stale
from mappers.columns import (
    Decision,
    Learned,
    LegacyColumn,
    decide,
    learned_key,
    named_target,
    own_articles,
    resolve_merges,
    rule_matches,
    target_columns,
)
from mappers.duplicates import DupArticle, DuplicateFinder, cluster_links
from mappers.routing import PortalTarget, RoutingContext
from mappers.sheet import (
    DECISION_LABELS,
    CurrentDecision,
    OfficeDecision,
    SheetContext,
    SheetError,
    SheetRow,
    SheetTable,
    SiteSheet,
    TargetChoice,
    fleet_import_summary,
    read_sheet_table,
    validate_rows,
    write_fleet_sheet,
    write_sheet,
)
from mappers.sheet import import_summary as sheet_import_summary
from mappers.sheet import say as say_sheet
from mappers.suggest import ContentTally, rank_targets
from mappers.synonyms import kind_of_name

_MERGE_MARK = re.compile(r"^\[merge into: (.+?)\] ")


def audit_settings(config: Config) -> AuditSettings:
    """The audit thresholds of the config (`audit:`), else the national defaults."""
    settings = getattr(config, "audit", None)
    return settings if isinstance(settings, AuditSettings) else AuditSettings()


def default_as_of(ws: Workspace, site_id: str) -> dt.date:
    """The date staleness is judged at: the site's crawl date, else today."""
    with ws.store.session() as session:
        row = session.get(SiteRow, site_id)
        crawled = row.crawled_at if row is not None else None
    return crawled.date() if crawled else dt.date.today()


def legacy_columns(ws: Workspace, site_id: str, as_of: dt.date | None = None) -> list[LegacyColumn]:
    """Every legacy column with its figures, content profile, estimated kind and flags (empty, stale, container)."""
    site = ws.site(site_id)
    when = as_of or default_as_of(ws, site_id)
    by_path: dict[str, ContentTally] = defaultdict(ContentTally)  # counted as the articles stream by
    with ws.store.session() as session:
        for path, title, doc_no, index_no, published, attachments in session.execute(
                select(ArticleRow.column_path, ArticleRow.title, ArticleRow.doc_no, ArticleRow.index_no,
                       ArticleRow.published, ArticleRow.attachments).where(ArticleRow.site_id == site_id)
                .execution_options(yield_per=DUP_BATCH)):
            by_path[" > ".join(path or [])].add({"title": title, "doc_no": doc_no, "index_no": index_no,
                                                 "published": published, "attachments": attachments})
        rows = session.scalars(select(ColumnRow).where(ColumnRow.site_id == site_id).order_by(ColumnRow.path)).all()
        formers = site_former_names(session, site_id)
    rows = [row for row in rows if row.path not in formers]  # a renamed column's old name is the same column
    direct = Counter({path: tally.articles for path, tally in by_path.items()})
    parents = {row.path.rsplit(" > ", 1)[0] for row in rows if " > " in row.path}
    records = column_records(ws, site_id, rows)
    unlinked = unlinked_entries(ws, site_id, rows)
    columns = []
    for row in rows:
        count, letters = direct.get(row.path, 0), records.get(row.path, [])
        container = count == 0 and not letters and row.path in parents and not unlinked.get(row.path)
        if count == 0 and row.url is None and not container and not letters and not unlinked.get(row.path):
            continue  # a breadcrumb name with neither a list page nor items of its own
        column = LegacyColumn(path=row.path, name=row.name, url=row.url, article_count=count,
                              last_published=_newest(row.last_published if count else None, latest_date(letters)),
                              profile=by_path.get(row.path, ContentTally()).profile(), record_count=len(letters),
                              unlinked=unlinked.get(row.path, 0))
        if unlinked.get(row.path):
            column.flags.append("unlinked")
        if container:
            column.flags.append("container")
        elif count == 0 and not row.listed_items and not letters:
            column.flags.append("empty")
        columns.append(column)
    if direct.get(""):
        columns.append(LegacyColumn(path="", name="(no column)", article_count=direct[""], flags=["no-column"],
                                    profile=by_path[""].profile()))
    settings = audit_settings(ws.config)
    for column in columns:
        column.kind = column_kind(ws.config, site, column)
        column.idle_days = days_idle(column.last_published, when)
        if (column.article_count or column.record_count) and \
                is_stale(column.kind, column.last_published, when, settings):
            column.flags.append("stale")
    return columns


def unlinked_entries(ws: Workspace, site_id: str, rows: list[ColumnRow]) -> Counter[str]:
    """Column path → entries its list pages show whose link goes nowhere (the crawl counts them per page)."""
    paths = {row.path for row in rows}
    page_column = {row.url: row.path for row in rows if row.url}
    found: Counter[str] = Counter()
    with ws.store.session() as session:
        for url, hint in session.execute(select(Resource.url, Resource.hint).where(
                Resource.site_id == site_id, Resource.kind.in_(("list", "page", "home", "other")))):
            if not (hint or {}).get("unlinked"):
                continue
            column = " > ".join(hint.get("column") or [])
            path = page_column.get(url) or (column if column in paths else None)
            if path is not None:
                found[path] += int(hint["unlinked"])
    return found


def column_records(ws: Workspace, site_id: str, rows: list[ColumnRow]) -> dict[str, list[InteractionRow]]:
    """Column path → the interaction records it holds: those whose own column path names it, else those its list
    pages (the column's page, or a further page of it) show."""
    paths = {row.path for row in rows}
    page_column = {row.url: row.path for row in rows if row.url}
    with ws.store.session() as session:
        for resource in session.scalars(select(Resource).where(Resource.site_id == site_id,
                                                               Resource.kind == "list")):
            column = (resource.hint or {}).get("column")
            if column and resource.url not in page_column and " > ".join(column) in paths:
                page_column[resource.url] = " > ".join(column)
    found: dict[str, list[InteractionRow]] = defaultdict(list)
    placed = set()
    for page, records in record_pages(ws, site_id).items():
        for record in records:
            own = " > ".join(record.column_path or [])
            path = own if own in paths else page_column.get(page)
            if path is not None:
                found[path].append(record)
                placed.add(record.url)
    for record in stored_records(ws, site_id):  # reached from no list page: its own column path, when one
        own = " > ".join(record.column_path or [])
        if record.url not in placed and own in paths:
            found[own].append(record)
    return found


def _newest(*dates: str | None) -> str | None:
    """The latest of some ISO dates (None when none is given)."""
    given = [d for d in dates if d]
    return max(given, key=lambda d: d[:10]) if given else None


def column_kind(config: Config, site: Site, column: LegacyColumn) -> str:
    """A column's kind: its rule's target, else a confident name match, else its name, else its content."""
    kinds = {c.id: c.kind for c in config.all_columns()}
    for rule in site.mapping:
        if rule_matches(rule, column) and rule.target:
            return kinds.get(rule.target, "other")
    targets = [named_target(t) for t in target_columns(config, site)]
    ranked = rank_targets(column.name, None, targets, column.path.split(" > ") if column.path else None)
    if ranked and ranked[0].score >= 0.9:
        return ranked[0].kind
    lead = column.profile.leading_kind() if column.profile else None
    return kind_of_name(column.name) or (lead[0] if lead else "other")


# ---------------------------------------------------------------- decisions


def map_site(ws: Workspace, site_id: str, as_of: dt.date | None = None, threshold: float | None = None
             ) -> list[tuple[LegacyColumn, Decision]]:
    """Decide every legacy column and record the decisions (office decisions are kept unless a rule applies)."""
    require_crawled(ws, site_id)
    columns, decisions = _decided(ws, site_id, as_of, threshold)
    with ws.store.session() as session:  # the office decisions carried over are read where they are written
        existing = _recorded(session, site_id)
        _carry_office(decisions, existing, site_former_names(session, site_id))
        for decision in decisions:
            _store_decision(session, site_id, existing.get(decision.column_path), decision)
        site_row = session.get(SiteRow, site_id)
        if site_row is not None:
            site_row.mapped_at = utcnow()
    return list(zip(columns, decisions, strict=True))


def automatic_decisions(ws: Workspace, site_id: str) -> dict[str, ColumnMapping]:
    """Legacy column path → the decision `map` would record now for a site never mapped, as rows never added to
    the store (a dry run shows what it would follow without recording it)."""
    require_crawled(ws, site_id)
    _columns, decisions = _decided(ws, site_id, None, None)
    _carry_office(decisions, {})  # merges resolved as map_site resolves them
    now = utcnow()
    return {d.column_path: ColumnMapping(site_id=site_id, column_path=d.column_path, decision=d.decision,
                                         target=d.target, reason=encode_reason(d), confidence=d.confidence,
                                         decided_by=d.decided_by, decided_at=now) for d in decisions}


def _recorded(session: Any, site_id: str) -> dict[str, ColumnMapping]:
    """A site's recorded column decisions by legacy column path."""
    return {m.column_path: m for m in session.scalars(select(ColumnMapping).where(ColumnMapping.site_id == site_id))}


def _decided(ws: Workspace, site_id: str, as_of: dt.date | None, threshold: float | None
             ) -> tuple[list[LegacyColumn], list[Decision]]:
    """What the current config decides for every legacy column, before office decisions are carried over."""
    columns = legacy_columns(ws, site_id, as_of)
    return columns, decide(ws.config, ws.site(site_id), columns, threshold, learned_decisions(ws, site_id))


def _carry_office(decisions: list[Decision], existing: dict[str, ColumnMapping],
                  formers: dict[str, str] | None = None) -> None:
    """Keep the office's recorded decisions (a rule in migrations.yaml still wins), a renamed column following the
    decision of its former name (`formers`: former path → path), then resolve merges."""
    sources = rename_sources(existing, formers or {})
    for decision in decisions:
        row = existing.get(decision.column_path)
        if decision.decided_by == "migrations.yaml":
            continue
        if row is not None and row.decided_by not in SYSTEM_DECIDERS:
            _keep_office(decision, row)
        elif decision.column_path in sources:
            _follow_rename(decision, sources[decision.column_path])
    resolve_merges(decisions)


def _follow_rename(decision: Decision, old: ColumnMapping) -> None:
    """A renamed column takes its former name's decision, recorded as `map`'s own (the office signs it again)."""
    merge_into, reason = decode_reason(renamed_reason(old, decision.column_path))
    decision.decision, decision.target, decision.merge_into = old.decision, old.target, merge_into
    decision.confidence, decision.reason, decision.decided_by = old.confidence, reason, FOLLOWER
    decision.reason_zh = f"栏目更名：{old.column_path} → {decision.column_path}（列表页未变），沿用原决定"
    decision.suggested = None


def outdated_decisions(ws: Workspace, site_id: str) -> list[str]:
    """Legacy columns whose recorded decision or target is not what `map` would record now (migrations.yaml
    changed since the site was mapped); empty for a site never mapped."""
    with ws.store.session() as session:
        if session.scalar(select(ColumnMapping.id).where(ColumnMapping.site_id == site_id).limit(1)) is None:
            return []
    _columns, decisions = _decided(ws, site_id, None, None)
    with ws.store.session() as session:
        existing = _recorded(session, site_id)
        _carry_office(decisions, existing, site_former_names(session, site_id))
        recorded = {path: _decided_as(row.decision, row.target) for path, row in existing.items()}
    return [d.column_path for d in decisions if recorded.get(d.column_path) != _decided_as(d.decision, d.target)]


def _decided_as(decision: str, target: str | None) -> tuple[str, str | None]:
    """What a push follows of a decision: an undecided column's target is only a suggestion (one another site's
    signature may offer), so it is no difference."""
    return decision, None if decision == "unmapped" else target


def learned_decisions(ws: Workspace, site_id: str) -> dict[tuple[str, str], Learned]:
    """Office-signed migrate/drop decisions of the other sites, by (column name, kind): the latest one wins."""
    with ws.store.session() as session:
        rows = session.scalars(select(ColumnMapping).where(
            ColumnMapping.site_id != site_id, ColumnMapping.decided_by.not_in(SYSTEM_DECIDERS),
            ColumnMapping.decision.in_(("migrate", "drop"))).order_by(ColumnMapping.decided_at)).all()
        kinds = {(r.site_id, r.column_path): r for r in rows}
        below: dict[str, dict[str, int]] = defaultdict(dict)  # site → column → articles below it (its own too)
        for c in session.scalars(select(ColumnRow).where(ColumnRow.site_id != site_id)):
            below[c.site_id][c.path] = c.article_count or 0
    held = {(other, path): n for other, counts in below.items() for path, n in own_articles(counts).items()}
    learned: dict[tuple[str, str], Learned] = {}
    for (other, path), row in kinds.items():
        name = path.rsplit(" > ", 1)[-1]
        kind = kind_of_name(name) or "other"
        learned[learned_key(name, kind)] = Learned(row.decision, row.target, other, path, row.decided_by,
                                                   row.decided_at.date().isoformat() if row.decided_at else "",
                                                   held.get((other, path)))
    return learned


def _keep_office(decision: Decision, row: ColumnMapping) -> None:
    """Carry an office decision over a re-run."""
    merge_into, reason = decode_reason(row.reason)
    decision.decision, decision.target, decision.merge_into = row.decision, row.target, merge_into
    decision.confidence, decision.reason, decision.decided_by = 1.0, reason, row.decided_by
    decision.reason_zh = office_reason_zh(reason)  # never the suggester's "…待人工决定" the office answered
    decision.suggested = None


def _store_decision(session: Any, site_id: str, row: ColumnMapping | None, decision: Decision) -> None:
    """Write a decision; decided_at changes only when the decision, target or reason does."""
    reason = encode_reason(decision)
    if row is None:
        row = ColumnMapping(site_id=site_id, column_path=decision.column_path)
        session.add(row)
    elif (row.decision, row.target, row.reason) == (decision.decision, decision.target, reason):
        return
    if decision.decided_by not in SYSTEM_DECIDERS and row.decided_by == decision.decided_by \
            and row.decision == decision.decision:
        row.target, row.reason = decision.target, reason  # a merge re-resolved: same office decision
        return
    row.decision, row.target, row.reason = decision.decision, decision.target, reason
    row.confidence, row.decided_by, row.decided_at = decision.confidence, decision.decided_by, utcnow()


def encode_reason(decision: Decision) -> str:
    """The stored reason; a merge keeps the legacy column it merges into as a leading mark."""
    return f"[merge into: {decision.merge_into}] {decision.reason}" if decision.merge_into else decision.reason


def decode_reason(reason: str | None) -> tuple[str | None, str]:
    """(merge_into, reason) from a stored reason."""
    match = _MERGE_MARK.match(reason or "")
    if match is None:
        return None, reason or ""
    return match.group(1), (reason or "")[match.end():]


def stored_decisions(ws: Workspace, site_id: str) -> dict[str, Decision]:
    """The recorded decision of every column of a site, by column path."""
    with ws.store.session() as session:
        rows = session.scalars(select(ColumnMapping).where(ColumnMapping.site_id == site_id)).all()
    decisions = {}
    for row in rows:
        merge_into, reason = decode_reason(row.reason)
        decisions[row.column_path] = Decision(row.column_path, row.decision, row.target, row.confidence, reason,
                                              row.decided_by, merge_into)
    return decisions


# ---------------------------------------------------------------- the office's sheet


def export_sheet(ws: Workspace, site_id: str, path: Path, lang: str = "zh", as_of: dt.date | None = None) -> int:
    """Write the site's decisions as a sheet an office clerk can fill in and sign; return rows written."""
    pairs = map_site(ws, site_id, as_of)
    with ws.store.session() as session:
        dates = {m.column_path: m.decided_at for m in session.scalars(
            select(ColumnMapping).where(ColumnMapping.site_id == site_id))}
    rows = [_sheet_row(column, decision, dates.get(column.path)) for column, decision in pairs]
    write_sheet(path, rows, target_choices(ws.config, ws.site(site_id)), lang, crawled_on(ws, site_id), site_id)
    return len(rows)


def crawled_on(ws: Workspace, site_id: str) -> dt.date | None:
    """The day the site was crawled, if it was."""
    with ws.store.session() as session:
        row = session.get(SiteRow, site_id)
        return row.crawled_at.date() if row is not None and row.crawled_at else None


def _sheet_row(column: LegacyColumn, decision: Decision, decided_at: dt.datetime | None) -> SheetRow:
    """One sheet row; an office decision shows its signer and day under 原签署 and leaves 审核人/审核日期 empty, so
    that any signature the sheet comes back with was written by a person (a correction by the same signer too)."""
    office = decision.decided_by not in SYSTEM_DECIDERS
    reason_zh = decision.reason_zh or (office_reason_zh(decision.reason) if office else "")
    day = decided_at.date().isoformat() if decided_at else ""
    return SheetRow(path=column.path, name=column.name, articles=column.article_count,
                    last=(column.last_published or "")[:10], flags=list(column.flags), decision=decision.decision,
                    target=decision.target, merge_into=decision.merge_into, confidence=decision.confidence,
                    reason=decision.reason, comment=office_comment(decision.reason) if office else "",
                    reason_zh=reason_zh, locked=decision.decided_by == "migrations.yaml",
                    signed_before=f"{decision.decided_by} {day}".strip() if office else "")


OFFICE_REASON = re.compile(r"office decision signed by (.+?)(?: on (\d{4}-\d{2}-\d{2}))?"
                           r"(?:, correcting their decision of (\d{4}-\d{2}-\d{2}) \((.+?)\))?(?:: (.*))?$", re.S)




def office_reason_zh(reason: str) -> str:
    """An office decision's stored reason ('office decision signed by 王明 on 2026-11-20: …') in Chinese:
    the office's 意见 when it wrote one, after who signed and when and the decision it corrects ('由王明于
    2026-11-20 签署（更正其 2026-11-18 的决定：迁移 → bmdt）：…')."""
    match = OFFICE_REASON.match(reason)
    if match is None:
        return reason
    signer, day, corrected_on, corrected, comment = match.groups()
    correction = f"（更正其 {corrected_on} 的决定：{_decision_zh(corrected)}）" if corrected_on else ""
    return f"由{signer}" + (f"于 {day} " if day else "") + "签署" + correction + (f"：{comment}" if comment else "")


def _decision_zh(text: str) -> str:
    """'migrate → bmdt' / 'drop' / 'merge into X' with the decision word in Chinese."""
    word, _, rest = text.partition(" ")
    label = DECISION_LABELS["zh"].get(word, word)
    return f"{label}到 {rest.removeprefix('into ')}" if word == "merge" else f"{label} {rest}".strip()


def office_comment(reason: str) -> str:
    """The 意见 the office wrote on a signed row, read back from the stored reason ('' when none)."""
    match = OFFICE_REASON.match(reason)
    return (match.group(5) or "") if match is not None else ""


def target_choices(config: Config, site: Site) -> list[TargetChoice]:
    """Portal columns offered in the sheet: the site's own first, then every other column of the portal."""
    own = target_columns(config, site)
    index = config.portal.index()
    choices = [TargetChoice(t.column.id, _label(index, t.column.id)) for t in own]
    seen = {c.id for c in choices}
    choices += [TargetChoice(cid, _label(index, cid)) for cid in index if cid not in seen]
    return choices


def portal_column_label(index: dict[str, ColumnPlace], column_id: str) -> str:
    """A portal column as a finding names it: its path, then its id and sub-site ('通知公告 (mzt-tzgg, 省民政厅)'), so
    that columns of the same name in different sub-sites are told apart."""
    info = index.get(column_id)
    if info is None:
        return column_id
    return f"{' > '.join(info.names)} ({', '.join([column_id] + ([info.subsite_name] if info.subsite_name else []))})"


def _label(index: dict[str, ColumnPlace], column_id: str) -> str:
    """A column's path with its sub-site's name."""
    info = index[column_id]
    prefix = f"{info.subsite_name} > " if info.subsite_name else ""
    return prefix + " > ".join(info.names)


def import_sheet(ws: Workspace, site_id: str, path: Path) -> list[OfficeDecision]:
    """Validate a filled-in sheet and record its signed decisions, all or nothing; return the changes made, with
    `.waiting`: the columns of other sites the signed decisions sent back to the office (offered there)."""
    current, changes = _checked_sheet(ws, site_id, path, None)
    signed = {site_id: changes}
    changes.waiting = _waiting_after(ws, signed, lambda: _apply_office(ws, site_id, current, changes)) \
        if changes else []
    return changes


class FleetChanges(dict):
    """A fleet import's signed changes by site, with `.waiting`: the columns of other sites they sent back to the
    office (the signed decision is offered there for confirmation)."""

    waiting: list[WaitingColumn]


@dataclass
class WaitingColumn:
    """A column of another site that a signed decision turned back to undecided: the office confirms it there."""

    site: str
    path: str
    articles: int
    offer: str  # '<site>: <path>' of the signed decision offered


def _waiting_after(ws: Workspace, signed: dict[str, list[OfficeDecision]], apply: Any) -> list[WaitingColumn]:
    """Run `apply` (recording the signed changes) and return the columns of any other site that were decided before
    and are undecided after it: a guard, never expected (a signed decision only notes itself in another site's
    decided columns, mappers.columns.decide), said rather than left silent if it ever happens."""
    keys = {learned_key(c.path.rsplit(" > ", 1)[-1], kind_of_name(c.path.rsplit(" > ", 1)[-1]) or "other")
            for changes in signed.values() for c in changes if c.decision in ("migrate", "drop")}
    sites = [s.id for s in ws.config.sites if keys and crawled_on(ws, s.id) is not None and _has_named(ws, s.id, keys)]
    before = {site_id: _undecided(ws, site_id) for site_id in sites}
    apply()
    waiting = []
    for site_id in sites:
        own = {c.path for c in signed.get(site_id, [])}
        for path, (column, decision) in sorted(_undecided(ws, site_id).items()):
            if path not in before[site_id] and path not in own:
                waiting.append(WaitingColumn(site_id, path, column.article_count, _offer_of(decision)))
    return waiting


def _has_named(ws: Workspace, site_id: str, keys: set[tuple[str, str]]) -> bool:
    """Whether a site has a column whose name and kind match one of `keys`."""
    with ws.store.session() as session:
        names = session.scalars(select(ColumnRow.name).where(ColumnRow.site_id == site_id)).all()
    return any(learned_key(n, kind_of_name(n) or "other") in keys for n in names)


def _undecided(ws: Workspace, site_id: str) -> dict[str, tuple[LegacyColumn, Decision]]:
    """The columns `map` would leave for the office now (recorded office decisions kept), by path."""
    columns, decisions = _decided(ws, site_id, None, None)
    with ws.store.session() as session:
        _carry_office(decisions, _recorded(session, site_id), site_former_names(session, site_id))
    return {d.column_path: (c, d) for c, d in zip(columns, decisions, strict=True) if d.decision == "unmapped"}


def _offer_of(decision: Decision) -> str:
    """The '<site>: <path>' a fleet offer names in its reason, else ''."""
    found = re.search(r"signed by .+? for (.+?)(?: on \d{4}-\d\d-\d\d)?\); confirm", decision.reason)
    return found.group(1) if found else ""


def import_summary(name: str, changes: list[OfficeDecision] | dict[str, list[OfficeDecision]]) -> str:
    """What an import recorded, in the sheet's language (never the whole table): a site's sheet in one line (rows
    changed, by decision and by signer); a fleet workbook's (site → changes) in a line, then one per site; then
    the columns of other sites it sent back to the office, with the command that shows them."""
    if isinstance(changes, dict):
        lang = next((getattr(c, "lang", None) for c in changes.values() if getattr(c, "lang", None)), "zh")
        text = fleet_import_summary(name, changes)
    else:
        lang, text = getattr(changes, "lang", "zh"), sheet_import_summary(name, changes)
    waiting = getattr(changes, "waiting", [])
    if not waiting:
        return text
    lines = [text, say_sheet(lang, "waiting", count=len(waiting))]
    lines += [say_sheet(lang, "waiting_column", site=w.site, path=w.path, articles=w.articles,
                        offer=w.offer or "-") for w in waiting]
    lines += [say_sheet(lang, "waiting_hint", site=site) for site in dict.fromkeys(w.site for w in waiting)]
    return "\n".join(lines)


def _checked_sheet(ws: Workspace, site_id: str, path: Path, sheet_name: str | None
                   ) -> tuple[dict[str, Decision], list[OfficeDecision]]:
    """A site's recorded decisions and the validated signed changes of its sheet (SheetError when wrong)."""
    site = ws.site(site_id)
    require_crawled(ws, site_id)
    current = stored_decisions(ws, site_id)
    if not current:
        map_site(ws, site_id)
        current = stored_decisions(ws, site_id)
    with ws.store.session() as session:  # the day each was recorded: a change must carry a newer signature
        days = {m.column_path: m.decided_at.date() for m in session.scalars(
            select(ColumnMapping).where(ColumnMapping.site_id == site_id)) if m.decided_at}
    context = SheetContext(
        current={p: CurrentDecision(d.decision, d.target, d.merge_into, d.decided_by, days.get(p))
                 for p, d in current.items()},
        rule_paths={p for p, d in current.items() if d.decided_by == "migrations.yaml"},
        target_ids={c.id for c in ws.config.all_columns()},
        target_names=_names_to_ids(ws.config, site), crawled_on=crawled_on(ws, site_id))
    table = read_sheet_table(path, sheet_name)
    _same_site(ws, site_id, path, table)
    if sheet_name is None and table.site is None:
        _own_paths(ws, site_id, path, table, set(current))
    label = f"{path.name} [{sheet_name}]" if sheet_name else path.name
    return current, validate_rows(label, table.where, table.rows, context, table.lang)


def _same_site(ws: Workspace, site_id: str, path: Path, table: SheetTable) -> None:
    """Refuse, in one line naming both sites (in the sheet's language), a sheet whose workbook says it is another
    site's; a sheet without a site (written before sheets carried one, or saved as CSV) is checked row by row."""
    other = table.site
    if other is None or other == site_id:
        return
    hint = "other_site_hint" if any(s.id == other for s in ws.config.sites) else "unknown_site_hint"
    values = {"name": path.name, "other": other, "site": site_id}
    raise InputFileError(say_sheet(table.lang, "other_site", **values), hint=say_sheet(table.lang, hint, **values))


FOREIGN_MIN = 3  # unknown column paths, and over half of its paths, for a sheet without a site to be another's


def _own_paths(ws: Workspace, site_id: str, path: Path, table: SheetTable, own: set[str]) -> None:
    """Refuse in one line a sheet that names no site (older, or CSV) when most of its column paths, FOREIGN_MIN or
    more, are not columns of the site, naming the other site whose columns they all are when there is one."""
    paths = {cells.values.get("path", "") for cells in table.rows} - {""}
    unknown = paths - own
    if len(unknown) < FOREIGN_MIN or 2 * len(unknown) <= len(paths):
        return
    owners = [s.id for s in ws.config.sites if s.id != site_id and paths <= set(stored_decisions(ws, s.id))]
    values = {"name": path.name, "site": site_id, "count": len(paths), "unknown": len(unknown)}
    if len(owners) == 1:
        raise InputFileError(say_sheet(table.lang, "paths_of_other", other=owners[0], **values),
                             hint=say_sheet(table.lang, "other_site_hint", other=owners[0], **values))
    raise InputFileError(say_sheet(table.lang, "paths_of_none", **values),
                         hint=say_sheet(table.lang, "export_hint", **values))


def export_fleet_sheet(ws: Workspace, path: Path, lang: str = "zh", as_of: dt.date | None = None) -> int:
    """One workbook for every crawled site (a summary, then a sheet per site); return the rows written."""
    sites = []
    for site in ws.config.sites:
        if crawled_on(ws, site.id) is None:
            continue
        pairs = map_site(ws, site.id, as_of)
        with ws.store.session() as session:
            dates = {m.column_path: m.decided_at for m in session.scalars(
                select(ColumnMapping).where(ColumnMapping.site_id == site.id))}
        rows = [_sheet_row(column, decision, dates.get(column.path)) for column, decision in pairs]
        sites.append(SiteSheet(site.id, site.name, rows, target_choices(ws.config, site), crawled_on(ws, site.id)))
    if not sites:
        raise ConsolidateError("no site has been crawled yet", hint="run `consolidate crawl --all` first")
    write_fleet_sheet(path, sites, lang)
    return sum(len(s.rows) for s in sites)


def import_fleet_sheet(ws: Workspace, path: Path) -> dict[str, list[OfficeDecision]]:
    """Validate every site sheet of a fleet workbook, then record all their signed decisions (all or nothing)."""
    names = fleet_sheet_names(path)
    checked, errors, langs = {}, [], []
    for site in ws.config.sites:
        if site.id[:31] not in names:
            continue
        try:
            checked[site.id] = _checked_sheet(ws, site.id, path, site.id[:31])
        except SheetError as exc:
            errors.extend(exc.errors)
            langs.append(exc.lang)
    if errors:
        raise SheetError(errors, langs[0])
    if not checked:
        raise InputFileError(f"{path.name}: no sheet of it is named after a site of the config "
                             f"({', '.join(s.id for s in ws.config.sites)}); nothing was imported",
                             hint="import one site's sheet with `consolidate map SITE --import FILE`; "
                                  "`map --all --export` writes the fleet workbook")
    signed = {site_id: changes for site_id, (_current, changes) in checked.items()}
    result = FleetChanges(signed)
    result.waiting = _waiting_after(ws, signed, lambda: _apply_all(ws, checked))
    return result


def _apply_all(ws: Workspace, checked: dict[str, tuple[dict[str, Decision], list[OfficeDecision]]]) -> None:
    """Record the signed changes of every site sheet of a fleet workbook."""
    for site_id, (current, changes) in checked.items():
        if changes:
            _apply_office(ws, site_id, current, changes)


def fleet_sheet_names(path: Path) -> set[str]:
    """The sheet titles of a workbook (a fleet workbook has one per site)."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file", hint="give the path of the filled-in workbook")
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
        names = set(book.sheetnames)
        book.close()
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise SheetError([f"{path.name}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})"]) from None
    return names


def _names_to_ids(config: Config, site: Site) -> dict[str, list[str]]:
    """Column name → ids among the site's targets, for target cells that give a name."""
    names: dict[str, list[str]] = defaultdict(list)
    for target in target_columns(config, site):
        names[target.column.name].append(target.column.id)
    return names


def _apply_office(ws: Workspace, site_id: str, current: dict[str, Decision], changes: list[OfficeDecision]) -> None:
    """Record signed decisions in one transaction, re-resolving merges; a correction of the signer's own decision
    keeps that decision (its day, what it was) in its reason."""
    signed_on = {c.path: c.signed_on for c in changes}
    with ws.store.session() as session:
        rows = {m.column_path: m for m in session.scalars(
            select(ColumnMapping).where(ColumnMapping.site_id == site_id))}
        decisions = dict(current)
        for change in changes:
            decisions[change.path] = Decision(change.path, change.decision, change.target, 1.0,
                                              _office_note(change, current.get(change.path), rows.get(change.path)),
                                              change.signer, change.merge_into)
        ordered = list(decisions.values())
        resolve_merges(ordered)
        for decision in ordered:
            row = rows.get(decision.column_path)
            if decision.column_path in signed_on:
                if row is None:
                    row = ColumnMapping(site_id=site_id, column_path=decision.column_path)
                    session.add(row)
                row.decision, row.target, row.reason = decision.decision, decision.target, encode_reason(decision)
                row.confidence, row.decided_by = 1.0, decision.decided_by
                row.decided_at = signed_at(signed_on[decision.column_path])
            elif row is not None and decision.decision == "merge" and row.target != decision.target:
                row.target = decision.target


def _office_note(change: OfficeDecision, earlier: Decision | None, row: ColumnMapping | None) -> str:
    """The stored reason of a signed change: who signed it and when, the decision it corrects when the signer
    corrects their own, and the office's 意见."""
    note = f"office decision signed by {change.signer}" + \
        (f" on {change.signed_on.isoformat()}" if change.signed_on else "")
    if change.corrects and earlier is not None and row is not None and row.decided_at:
        what = {"migrate": f"migrate → {earlier.target}", "merge": f"merge into {earlier.merge_into}"}
        note += f", correcting their decision of {row.decided_at.date().isoformat()} " \
                f"({what.get(earlier.decision, earlier.decision)})"
    return note + (f": {change.comment}" if change.comment else "")


def signed_at(signed_on: dt.date | None) -> dt.datetime:
    """When a signed decision was made: the day the office wrote on the sheet (at the time of the import, so that
    decisions of one day keep their order), else now."""
    now = utcnow()
    return dt.datetime.combine(signed_on, now.time()) if signed_on else now


# ---------------------------------------------------------------- routing and duplicates


def routing_rules(config: Config, site: Site) -> list[RoutingRule]:
    """The site's routing rules, then the programme's (`routing:`), else the built-in defaults."""
    site_rules = list(getattr(site, "routing", None) or [])
    programme = getattr(config, "routing", None)
    return site_rules + (list(programme) if programme is not None else list(DEFAULT_ROUTING))


def routing_for(ws: Workspace, site_id: str) -> RoutingContext:
    """The routing rules of a site, resolving kind/name targets against its columns, then the portal's."""
    site = ws.site(site_id)
    own = [t.column for t in target_columns(ws.config, site)]
    portal = [info.column for info in ws.config.portal.index().values() if info.subsite is None]
    seen: set[str] = set()
    columns = []
    for column in own + portal:
        if column.id not in seen:
            seen.add(column.id)
            columns.append(PortalTarget(id=column.id, name=column.name, kind=column.kind))
    return RoutingContext(routing_rules(ws.config, site), columns)


def duplicate_links(ws: Workspace, site_ids: list[str], site_id: str | None = None
                    ) -> dict[tuple[str, str], tuple[str, str]]:
    """(site, url) → (site, original url) for articles that repeat another one of these sites (or one already
    pushed to the portal); originals prefer what is on the portal, then what is being migrated, then the oldest.
    With `site_id`, only the groups that have an article of that site (what a push of it needs).

    The duplicate groups (the costly part: every body normalised and sketched) are found once per store state
    (`_duplicate_groups`), so `push --all` and `verify --all` find them once, not once per site; which article
    of a group is the original is decided again at every call, from the push map and the mappings. Only the
    groups' members are read again, so what this holds does not grow with the articles' text."""
    found = _duplicate_groups(ws, site_ids)
    groups = found.groups if site_id is None else [g for g in found.groups if found.touches(g, site_id)]
    members = [found.ids[index] for group in groups for index in group]
    with ws.store.session() as session:
        migrating = {(m.site_id, m.column_path) for m in session.scalars(select(ColumnMapping).where(
            ColumnMapping.site_id.in_(site_ids), ColumnMapping.decision.in_(("migrate", "merge"))))}
        rows, pushed = {}, set()
        for start in range(0, len(members), DUP_BATCH):
            chunk = session.execute(select(ArticleRow.id, ArticleRow.site_id, ArticleRow.url, ArticleRow.title,
                                           ArticleRow.published, ArticleRow.column_path)
                                    .where(ArticleRow.id.in_(members[start:start + DUP_BATCH]))).all()
            rows.update((row.id, row) for row in chunk)
            pushed |= {(r.site_id, r.source_url) for r in session.execute(select(
                PushRecord.site_id, PushRecord.source_url).where(
                PushRecord.kind == "article", PushRecord.status.in_(IN_TARGET),
                PushRecord.source_url.in_([row.url for row in chunk])))}
    gone = still_vanished(ws.store, [(row.site_id, row.url) for row in rows.values()])
    clusters = [[(index, _dup_article(rows[found.ids[index]], pushed, migrating, gone)) for index in group
                 if found.ids[index] in rows] for group in groups]  # an article deleted since is left out
    owners = {row.url: row.site_id for row in rows.values()}
    return {(owners[url], url): (owners[original], original) for url, original in cluster_links(clusters).items()}


def _dup_article(row: Any, pushed: set[tuple[str, str]], migrating: set[tuple[str, str]],
                 gone: set[tuple[str, str]]) -> DupArticle:
    """An article of a duplicate group as the original is chosen: on the portal (2), being migrated (1), other;
    one gone from the legacy site (`gone`) never stands for a copy still there."""
    preferred = 2 if (row.site_id, row.url) in pushed else \
        int((row.site_id, " > ".join(row.column_path or [])) in migrating)
    return DupArticle(row.url, row.title or "", row.published, preferred=preferred,
                      gone=(row.site_id, row.url) in gone)


DUP_BATCH = 500  # article rows read at a time by the duplicate finder


def duplicate_holds(ws: Workspace, site_ids: list[str], site_id: str | None = None) -> dict[tuple[str, str], str]:
    """(site, url) → hold reason of the articles whose body is the same as another's under a clearly different
    title: never merged, both held for the office to look at (which title is right is not for a rule to guess);
    the reason names the other article. With `site_id`, only the pairs that have an article of that site."""
    found = _duplicate_groups(ws, site_ids)
    suspects = [pair for pair in found.suspects if site_id is None or found.touches(pair, site_id)]
    wanted = sorted({found.ids[index] for pair in suspects for index in pair})
    with ws.store.session() as session:
        rows = {row.id: row for start in range(0, len(wanted), DUP_BATCH) for row in session.execute(select(
            ArticleRow.id, ArticleRow.site_id, ArticleRow.url, ArticleRow.title).where(
            ArticleRow.id.in_(wanted[start:start + DUP_BATCH])))}
    holds: dict[tuple[str, str], str] = {}
    for first, second in suspects:
        one, other = rows.get(found.ids[first]), rows.get(found.ids[second])
        if one is None or other is None:  # deleted since the groups were found
            continue
        for row, twin in ((one, other), (other, one)):
            holds.setdefault((row.site_id, row.url), same_body_hold(twin.url, twin.title or ""))
    return holds


@dataclass(slots=True)
class DuplicateGroups:
    """The duplicate groups of some sites' articles in one store state: positions in site, then id order."""

    groups: list[list[int]]
    ids: array  # the article id at each position
    suspects: list[tuple[int, int]]  # the same body under clearly different titles
    spans: dict[str, tuple[int, int]]  # site → [start, end) of its positions

    def touches(self, positions: Iterable[int], site_id: str) -> bool:
        """True when one of these positions is an article of the site."""
        start, end = self.spans.get(site_id, (0, 0))
        return any(start <= index < end for index in positions)


# the groups last found: (database, sites, the database's committed article writes then, groups); one store at a
# time, so the memory they take stays small
_GROUPS: list[tuple[str, tuple[str, ...], int, DuplicateGroups]] = []
_WRITES: dict[str, int] = {}  # database URL → transactions writing its articles table this process ended
_WROTE = "consolidate.wrote_articles"  # a connection's flag: its open transaction wrote the articles table
_ARTICLE_WRITE = re.compile(r"\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|"
                            r"DELETE\s+FROM)\s+(?:\w+\.)?\"?articles\b(?!_)", re.IGNORECASE)


def _duplicate_groups(ws: Workspace, site_ids: list[str]) -> DuplicateGroups:
    """The duplicate groups of these sites' articles, found once per store state: again only after a transaction
    of this process that wrote the articles table ended (a crawl, an edit; any engine on the same database), so
    every site of a `push --all` or `verify --all` — the gate, the plan, verify's — shares one finding and no call
    reads the whole fleet again. Another process's writes are seen by the next command. Bodies are read DUP_BATCH
    at a time and only a few numbers of each are kept (mappers.duplicates.DuplicateFinder)."""
    database, key = _database(ws.store.engine), tuple(site_ids)
    writes = _WRITES.get(database, 0)
    for known, sites, seen, found in _GROUPS:
        if known == database and sites == key and seen == writes:
            return found
    _GROUPS.clear()
    finder, ids, spans = DuplicateFinder(), array("q"), {}
    for site_id in site_ids:
        start = len(ids)
        for row in _article_rows(ws, site_id, ArticleRow.title, ArticleRow.published, ArticleRow.body_text):
            ids.append(row.id)
            finder.add(row.title, row.published, row.body_text)
        spans[site_id] = (start, len(ids))
    found = DuplicateGroups(finder.groups(lambda indices: _texts(ws, ids, indices)), ids, finder.suspects, spans)
    _GROUPS.append((database, key, writes, found))
    return found


def _database(engine: Engine) -> str:
    """The engine's database as a key shared by every engine of this process on it."""
    return engine.url.render_as_string(hide_password=True)


def _note_article_write(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    """Flag the connection's transaction when it writes the articles table (INSERT, UPDATE or DELETE)."""
    if _ARTICLE_WRITE.match(statement):
        conn.info[_WROTE] = True


def _count_article_writes(conn: Any) -> None:
    """Count a committed (or rolled back) transaction that wrote the articles table: groups found while it was open,
    by it or by another connection, are found again."""
    if conn.info.pop(_WROTE, False):
        database = _database(conn.engine)
        _WRITES[database] = _WRITES.get(database, 0) + 1


# every engine of the process, whichever Workspace opened it: a write through one is seen by the groups of all
event.listen(Engine, "before_cursor_execute", _note_article_write)
event.listen(Engine, "commit", _count_article_writes)
event.listen(Engine, "rollback", _count_article_writes)


def _article_rows(ws: Workspace, site_id: str, *columns: Any) -> Iterator[Any]:
    """(id, site_id, *columns) of a site's articles in id order, read DUP_BATCH at a time."""
    last = -1
    while True:
        with ws.store.session() as session:
            rows = session.execute(select(ArticleRow.id, ArticleRow.site_id, *columns).where(
                ArticleRow.site_id == site_id, ArticleRow.id > last).order_by(ArticleRow.id).limit(DUP_BATCH)).all()
        yield from rows
        if len(rows) < DUP_BATCH:
            break
        last = rows[-1].id


def _texts(ws: Workspace, ids: array, indices: list[int]) -> dict[int, tuple[str | None, str | None]]:
    """Position → (title, body text) of the articles at these positions."""
    wanted = {ids[index]: index for index in indices}
    texts: dict[int, tuple[str | None, str | None]] = {}
    with ws.store.session() as session:
        for start in range(0, len(indices), DUP_BATCH):
            chunk = [ids[index] for index in indices[start:start + DUP_BATCH]]
            texts.update((wanted[row.id], (row.title, row.body_text)) for row in session.execute(
                select(ArticleRow.id, ArticleRow.title, ArticleRow.body_text).where(ArticleRow.id.in_(chunk))))
    return texts


# ---------------------------------------------------------------- portal columns the mapping would create


def portal_findings(config: Config, decided: dict[str, list[tuple[LegacyColumn, Decision]]], as_of: dt.date,
                    ) -> list[dict[str, Any]]:
    """National veto rules on the portal the mapping would build: a column of the sites' scopes that nothing
    migrates into would be created empty (空白栏目: merge or do not create it); a column fed only by legacy
    columns idle past the limit of its kind would be stale from its first day (栏目不更新)."""
    settings = audit_settings(config)
    sources: dict[str, list[LegacyColumn]] = defaultdict(list)
    leaves: dict[str, Any] = {}
    for site_id, pairs in decided.items():
        for target in target_columns(config, config.site(site_id)):
            if not target.column.children:
                leaves.setdefault(target.column.id, target)
        for column, decision in pairs:
            if decision.decision in ("migrate", "merge") and decision.target and column.article_count:
                sources[decision.target].append(column)
    empty = [t for cid, t in leaves.items() if not sources.get(cid)]
    severity = "veto" if len(empty) >= settings.empty_veto else "warning"
    index = config.portal.index()
    found = [{"rule": VETO_EMPTY, "severity": severity, "column": t.column.id, "label": " > ".join(t.path),
              "message": f"no legacy column is mapped to {portal_column_label(index, t.column.id)}: created now "
                         "it would be empty "
                         f"({VETO_EMPTY}; {settings.empty_veto} or more fail the site) — do not create it, or "
                         "map content into it"} for t in empty]
    for cid, columns in sources.items():
        target = leaves.get(cid)
        newest = max((c.last_published or "" for c in columns), default="") or None
        kind = target.column.kind if target is not None else None
        if target is not None and is_stale(kind, newest, as_of, settings):
            found.append({"rule": VETO_STALE, "severity": "warning", "column": cid, "label": " > ".join(target.path),
                          "message": f"{portal_column_label(index, cid)} would start stale: its newest item is from "
                                     f"{(newest or '?')[:10]}, over the {settings.stale_days.get(kind or '')} days "
                                     f"a {kind} column may stay idle ({VETO_STALE}) — add current content or merge it"})
    return found
