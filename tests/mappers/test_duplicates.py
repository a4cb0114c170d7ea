"""Duplicates by title + date and by content; the planted republished story of the sample fleet."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import ArticleRow
from consolidate.mapping import duplicate_links
from consolidate.samplefleet import Fleet
from mappers.duplicates import DupArticle, find_duplicates, normalise_title

BODY = "临江市发展和改革委员会召开专题会议，研究部署重点项目建设工作。会议强调，要坚持问题导向，压实责任，" * 3


def test_same_title_and_day_in_two_columns() -> None:
    """The same story listed in two columns (different URLs) links to the first."""
    links = find_duplicates([{"url": "a", "title": "【转载】市发改委召开专题会议", "published": "2026-03-01", "body_text": BODY},
                             {"url": "b", "title": "市发改委召开专题会议", "published": "2026-03-01T10:00:00",
                              "body_text": BODY}])
    assert links == {"a": "b"} or links == {"b": "a"}
    assert normalise_title("【转载】市發改委召開專題會議") == normalise_title("市发改委召开专题会议")


def test_republished_copy_links_to_the_older_original() -> None:
    """旧稿重发: same text, new date — the older one is the original."""
    links = find_duplicates([DupArticle("new", "市发改委召开专题会议", "2026-10-29", BODY),
                             DupArticle("old", "市发改委召开专题会议", "2021-11-30", BODY)])
    assert links == {"new": "old"}


def test_the_portal_copy_wins_as_original() -> None:
    """An article already on the portal is the original even when it is newer."""
    links = find_duplicates([DupArticle("legacy", "专题会议", "2020-01-01", BODY),
                             DupArticle("portal", "专题会议", "2026-01-01", BODY, preferred=2)])
    assert links == {"legacy": "portal"}


def test_templated_pages_are_not_duplicates() -> None:
    """Guides share a template body but differ in title: not duplicates."""
    template = "一、事项名称\n项目备案\n二、办理依据\n《管理办法》\n三、申请材料\n申请表\n四、办理时限\n{}个工作日"
    links = find_duplicates([DupArticle("a", "以工代赈备案办理指南", "2026-05-09", template.format(12) * 2),
                             DupArticle("b", "能源保供事项办事指南", "2015-01-27", template.format(9) * 2)])
    assert links == {}


def test_the_fleet_republished_copy_is_found(crawled: pipeline.Workspace, fleet: Fleet) -> None:
    """fgw's planted republished story links to its original, and nothing else on the fleet is a duplicate."""
    copy, original = fleet.site("fgw").planted["republished"]
    links = duplicate_links(crawled, [s.id for s in crawled.config.sites])
    found = {(site, url.split("/", 3)[-1]): (o_site, o_url.split("/", 3)[-1])
             for (site, url), (o_site, o_url) in links.items()}
    assert found == {("fgw", copy.lstrip("/")): ("fgw", original.lstrip("/"))}


NOTICE = ("根据《临江市公共资源交易管理办法》，现将2026年第一批政府投资项目招标代理机构名单予以公示，公示期为2026年3月1日"
          "至2026年3月7日。如有异议，请在公示期内以书面形式向市公共资源交易中心反映。联系电话：0576-88001234。")


def test_a_reissued_notice_supersedes_an_original_of_the_same_text() -> None:
    """A (重发) or 【重发】 notice with the original's text (spacing and punctuation aside) is kept and the original
    links to it; so does a (补发) one."""
    again = find_duplicates([DupArticle("a", "关于招标代理机构名单的公示", "2026-03-01", NOTICE),
                             DupArticle("b", "【重发】关于招标代理机构名单的公示", "2026-03-05", NOTICE)])
    assert again == {"a": "b"}
    late = find_duplicates([DupArticle("a", "关于招标代理机构名单的公示", "2026-03-01", NOTICE),
                            DupArticle("b", "关于招标代理机构名单的公示（补发）", "2026-03-01",
                                       NOTICE.replace("，", ", ").replace("。", "。\n"))])
    assert late == {"a": "b"}


CHANGE = ("由江苏四通路桥工程有限公司中标承建的长板路及周边道路路面、管道修复工程，原项目经理刘金山（注册证书号：苏152161807316），"
          "因离职，申请变更为李传勇（注册证书号：苏132171909775），且已经发包人同意，并提供了相关的资料，现予以公示，公示时间自"
          "2020年12月22日至2020年12月29日。在公示期内，任何单位和个人对该项目经理变更情况有异议的均可向我办反映。")


def test_a_reissue_that_changes_its_original_never_merges_it_away() -> None:
    """A 公示's original text is a public record: a (更正) that moved its 公示期, a (重发) that names another
    project manager (zjgztb 13d714f9 李传勇 → 89c1bbf6（重发）张伟斌, same numbers, 98.7 % alike — found by the
    reissue, the content and the same-day checks alike) and one whose bodies are too short to compare (an
    attachment-only notice) leave both articles kept; an article that is no re-issue still merges as before."""
    corrected = NOTICE.replace("2026年3月7日", "2026年3月9日")
    assert find_duplicates([DupArticle("old", "关于招标代理机构名单的公示", "2026-03-01", NOTICE),
                            DupArticle("new", "关于招标代理机构名单的公示（更正）", "2026-03-02", corrected)]) == {}
    title = "关于长板路及周边道路路面、管道修复工程项目经理变更公示"
    for day in ("2020-12-29", "2020-12-22"):
        assert find_duplicates([DupArticle("13d714f9", title, "2020-12-22", CHANGE),
                                DupArticle("89c1bbf6", f"{title}（重发）", day, CHANGE.replace("李传勇", "张伟斌"))]) == {}
    assert find_duplicates([DupArticle("a", "【重发】" + title, "2020-12-22", CHANGE.replace("李传勇", "张伟斌")),
                            DupArticle("b", title, "2020-12-22", CHANGE)]) == {}  # same title key and day
    assert find_duplicates([DupArticle("a", title, "2020-12-22", "详见附件。"),
                            DupArticle("b", f"{title}（更正）", "2020-12-23", "详见附件。")]) == {}
    assert find_duplicates([DupArticle("a", title, "2020-12-22", CHANGE),
                            DupArticle("b", f"【转载】{title}", "2020-12-22", CHANGE)]) in ({"a": "b"}, {"b": "a"})


def test_notices_with_different_bodies_are_never_duplicates() -> None:
    """第一批 and 第二批 notices share a template and a title shape; their numbers differ: both are kept."""
    second = NOTICE.replace("第一批", "第二批").replace("3月1日", "4月1日").replace("3月7日", "4月7日")
    links = find_duplicates([DupArticle("first", "关于招标代理机构名单的公示", "2026-03-01", NOTICE),
                             DupArticle("second", "关于招标代理机构名单的公示", "2026-03-01", second)])
    assert links == {}
    batch = find_duplicates([DupArticle("b1", "2026年第一批代理机构名单公示", "2026-03-01", NOTICE * 2),
                             DupArticle("b2", "2026年第二批代理机构名单公示", "2026-04-01", second * 2)])
    assert batch == {}


def _fleet_of(count: int) -> list[DupArticle]:
    """`count` articles with texts of their own (random ideographs, seeded) and three planted repeats."""
    def text(seed: int, length: int) -> str:
        chosen = random.Random(seed)
        return "".join(chr(0x4E00 + chosen.randrange(3000)) for _ in range(length))

    own = [DupArticle(f"a{n}", text(-n - 1, 12), f"2024-01-{n % 28 + 1:02d}", text(n, 300)) for n in range(count)]
    return own + [DupArticle(f"copy{n}", own[n].title, own[n].published, own[n].body_text) for n in (3, 50, 77)]


def test_the_finder_reads_again_only_the_candidates_a_few_at_a_time() -> None:
    """Texts are asked for again only for candidate pairs, at most `chunk` articles per request, and the groups
    are the same whatever the chunk."""
    from mappers.duplicates import DuplicateFinder, duplicate_clusters

    items = _fleet_of(120)
    asked: list[list[int]] = []

    def fetch(indices: list[int]) -> dict[int, tuple[str, str]]:
        asked.append(indices)
        return {i: (items[i].title, items[i].body_text) for i in indices}

    finder = DuplicateFinder(chunk=2)
    for item in items:
        finder.add(item.title, item.published, item.body_text)
    groups = finder.groups(fetch)
    assert sorted(groups) == [[3, 120], [50, 121], [77, 122]] == sorted(duplicate_clusters(items))
    assert all(len(indices) <= 2 for indices in asked)
    assert {i for indices in asked for i in indices} == {3, 50, 77, 120, 121, 122}


STORY = ("本报讯 7月25日，县司法局联合县普法办在县城文化广场开展法制宣传教育活动，发放宣传资料三千余份，解答群众法律"
         "咨询两百余人次。活动围绕宪法、民法典和反电信网络诈骗法展开，工作人员结合身边案例，向群众讲解如何运用法律武器"
         "维护自身合法权益。县司法局负责人表示，下一步将持续推进法治宣传进社区、进乡村、进学校，营造尊法学法守法用法的"
         "良好氛围。活动现场还设置了法律援助咨询台和人民调解服务点，律师和调解员为群众现场解答婚姻家庭、劳动争议、"
         "土地承包等方面的法律问题，并发放法律援助联系卡，引导群众依法理性表达诉求。")


def _finder(articles: list[DupArticle]) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """The groups and suspect pairs of a few articles."""
    from mappers.duplicates import DuplicateFinder

    finder = DuplicateFinder()
    for item in articles:
        finder.add(item.title, item.published, item.body_text)
    groups = finder.groups(lambda indices: {i: (articles[i].title, articles[i].body_text) for i in indices})
    return groups, finder.suspects


def test_the_same_body_under_a_clearly_different_title_is_a_suspect_not_a_duplicate() -> None:
    """A legacy page that carries another article's body by mistake (hncic 7945 titled 深圳立法保护“活雷锋” with
    8464's text) is not merged into it: the pair is held for a person to say which title is right."""
    pair = [DupArticle("wrong", "深圳立法保护“活雷锋”", "2013-07-26T10:05:00", STORY),
            DupArticle("right", "昌吉州玛纳斯县积极开展法制宣传教育活动", "2013-07-26T10:02:00", STORY)]
    assert len(normalise_title(STORY)) >= 200  # long enough for the body alone to prove a repeat
    assert find_duplicates(pair) == {}
    assert _finder(pair) == ([], [(0, 1)])


def test_reprints_and_trimmed_titles_of_the_same_body_still_merge() -> None:
    """A 【转载】 tag, a （转） or a site-name suffix, a list's trimmed title: the same article, merged as before."""
    title = "县司法局开展法制宣传教育活动"
    for other in ("【转载】" + title, title + "（转）", title + " - 临江市司法局", title[:9] + "…",
                  "转发：" + title + "_临江市人民政府门户网站"):
        links = find_duplicates([DupArticle("a", title, "2013-07-26", STORY),
                                 DupArticle("b", other, "2013-08-02", STORY)])
        assert links == {"b": "a"}, other
        assert _finder([DupArticle("a", title, "2013-07-26", STORY), DupArticle("b", other, "2013-08-02", STORY)]
                       )[1] == [], other


def test_zjgztb_project_manager_change_keeps_its_original(tmp_path: Path) -> None:
    """The round-10 trial: zjgztb's 12-22 公示 (项目经理变更为李传勇) was merged into the 12-29 （重发） naming 张伟斌
    and 301'd there; now both are migrated, while lgedu's and zjgztb's copies of the same text still merge."""
    from tests.conftest import crawl_real_sites

    ws = crawl_real_sites(tmp_path, ["lgedu", "zjgztb"])
    links = duplicate_links(ws, ["lgedu", "zjgztb"])
    merged = {url.rsplit("/", 1)[-1][:8] for _site, url in links}
    with ws.store.session() as session:
        found = {url.rsplit("/", 1)[-1][:8] for url in session.scalars(select(ArticleRow.url))}
    assert {"13d714f9", "89c1bbf6"} <= found and not {"13d714f9", "89c1bbf6"} & merged
    assert {site for site, _url in links} == {"lgedu", "zjgztb"}
