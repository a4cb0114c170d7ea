"""Body generators per column kind, shared by the CMS flavours."""

from __future__ import annotations

import random
from datetime import date

from consolidate.samplefleet import textgen as tg
from consolidate.samplefleet.body import Block

WRAPS = ["plain", "plain", "indent", "span", "strong", "font"]
DEAD_CITATION = ("根据", "《关于做好2014年度专项资金申报工作的通知》", "要求，现将有关事项通知如下。")


def para(rng: random.Random, prof: tg.Profile, day: date | None, wrap: str | None = None) -> Block:
    """A prose paragraph block."""
    return Block("p", tg.paragraph(rng, prof, day), wrap=wrap or rng.choice(WRAPS))


def signature(prof: tg.Profile, day: date | None, xhtml: bool) -> Block:
    """Right-aligned signature lines (organisation, date)."""
    lines = [prof.org] + ([tg.cn_date(day)] if day else [])
    return Block("lines", items=lines, wrap="xhtml" if xhtml else "html")


def news_body(rng: random.Random, prof: tg.Profile, day: date | None, images: list[str]) -> list[Block]:
    """A news story: paragraphs, pictures near the top."""
    blocks = [para(rng, prof, day)]
    for href in images:
        caption = f"图为{rng.choice(tg.PLACES)}{rng.choice(prof.themes)}现场" if rng.random() < 0.6 else ""
        blocks.append(Block("img", caption, href=href))
    blocks += [para(rng, prof, day) for _ in range(rng.randint(2, 5))]
    if rng.random() < 0.2:
        blocks.insert(rng.randint(1, len(blocks)), Block("empty"))
    return blocks


def notice_body(rng: random.Random, prof: tg.Profile, day: date | None, images: list[str],
                table: bool) -> list[Block]:
    """A notice: salutation, numbered points, optional table, contact, signature."""
    blocks = [Block("p", f"{rng.choice(tg.UNITS)}：", wrap="plain"), para(rng, prof, day, "indent")]
    for index, numeral in enumerate(["一", "二", "三", "四"][: rng.randint(2, 4)]):
        text = f"{numeral}、{rng.choice(tg.ACTIONS)}" if index % 2 == 0 else f"{numeral}、工作要求"
        blocks.append(Block("p", text, wrap="strong" if rng.random() < 0.3 else "plain"))
        blocks.append(para(rng, prof, day))
    if table:
        blocks.append(Block("table", items=tg.table_rows(rng, prof)))
    blocks += [Block("img", "", href=href) for href in images]
    blocks.append(Block("p", tg.contact_line(rng), wrap="indent"))
    blocks.append(signature(prof, day, rng.random() < 0.5))
    return blocks


def policy_body(rng: random.Random, prof: tg.Profile, day: date | None, images: list[str],
                table: bool) -> list[Block]:
    """A regulation: numbered articles (第一条　…), optional table."""
    blocks = [Block("h3", "第一章　总则") if rng.random() < 0.3 else para(rng, prof, day, "indent")]
    numerals = "一二三四五六七八九十"
    count = rng.randint(4, 8)
    for index in range(count):
        blocks.append(Block("p", f"{tg.IDEO_SPACE * 2}第{numerals[index]}条{tg.IDEO_SPACE}{tg.sentence(rng, prof, day)}",
                            wrap=rng.choice(["plain", "span"])))
    if table:
        blocks.append(Block("table", items=tg.table_rows(rng, prof)))
    blocks += [Block("img", "", href=href) for href in images]
    blocks.append(Block("p", f"{tg.IDEO_SPACE * 2}第{numerals[count]}条{tg.IDEO_SPACE}本办法自印发之日起施行。"))
    return blocks


def reading_body(rng: random.Random, prof: tg.Profile, day: date | None, images: list[str]) -> list[Block]:
    """A policy interpretation: headed sections, optional infographic."""
    blocks = [Block("img", "", href=href) for href in images]
    for heading in ["一、出台背景", "二、主要内容", "三、政策亮点"][: rng.randint(2, 3)]:
        blocks.append(Block("p", heading, wrap="strong"))
        blocks += [para(rng, prof, day) for _ in range(rng.randint(1, 2))]
    return blocks


def guide_body(rng: random.Random, prof: tg.Profile, images: list[str]) -> list[Block]:
    """A service guide: headings and item lists (no dates)."""
    blocks: list[Block] = []
    for heading, lines in tg.guide_items(rng, prof):
        blocks.append(Block("h3" if rng.random() < 0.3 else "div", heading))
        blocks.append(Block("ul", items=lines) if len(lines) > 1 else Block("p", lines[0], wrap="indent"))
    blocks += [Block("img", "", href=href) for href in images]
    return blocks


def body_for(kind: str, rng: random.Random, prof: tg.Profile, day: date | None, images: list[str],
             table: bool) -> list[Block]:
    """Body blocks for a column kind."""
    if kind == "notice":
        return notice_body(rng, prof, day, images, table)
    if kind == "policy":
        return policy_body(rng, prof, day, images, table)
    if kind == "reading":
        return reading_body(rng, prof, day, images)
    if kind == "guide":
        return guide_body(rng, prof, images)
    return news_body(rng, prof, day, images)


def dead_link_block(href: str, citation: tuple[str, str, str] = DEAD_CITATION) -> Block:
    """A paragraph citing an older document by a link that no longer resolves (citation: before, title, after)."""
    return Block("link", items=list(citation), href=href)


def insert_middle(blocks: list[Block], block: Block) -> list[Block]:
    """Insert a block roughly in the middle of a body."""
    position = max(1, len(blocks) // 2)
    return blocks[:position] + [block] + blocks[position:]
