"""Deterministic Chinese government-style text: titles, paragraphs and document numbers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

IDEO_SPACE = "\u3000"
NBSP = "\xa0"

ACTIONS = [
    "压实工作责任", "加强统筹协调", "强化督查考核", "完善工作机制", "聚焦重点难点", "坚持问题导向",
    "创新工作方法", "加大宣传力度", "狠抓工作落实", "健全长效机制", "细化任务分工", "强化部门联动",
]
GOALS = ["推动高质量发展", "保障和改善民生", "提升群众满意度", "服务经济社会发展大局", "建设人民满意政府"]
PLACES = ["江北区", "江南区", "临港新区", "青山县", "白沙镇", "云湖街道", "东岙乡", "西塘镇"]
UNITS = ["区县（市）", "市直各单位", "各有关单位", "各乡镇（街道）"]
NAMES = ["张伟", "刘晓红", "陈建国", "周丽华", "吴志强", "郑海燕", "孙立新", "黄秀英"]
TOPICS = ["综合政务/通知", "国民经济管理、国有资产监管/发展规划", "综合政务/政务公开", "财政、金融、审计/其他",
          "教育/基础教育", "教育/其他", "城乡建设、环境保护/节能与资源综合利用", "商贸、海关、旅游/其他"]


@dataclass
class Profile:
    """Vocabulary of one department."""

    org: str
    org_short: str
    office: str
    themes: list[str]
    leaders: list[str]  # named in headlines (fgw: names outside GB2312)
    speakers: list[str]  # named in body prose (always GB2312)


PROFILES = {
    "fgw": Profile("临江市发展和改革委员会", "市发改委", "综合处",
                   ["重点项目建设", "价格监测", "节能降耗", "优化营商环境", "社会信用体系建设", "粮食安全",
                    "以工代赈", "数字经济发展", "民营经济发展", "招标投标监管", "新型城镇化", "服务业发展",
                    "能源保供", "碳达峰碳中和"],
                   ["王喆", "李堃", "赵昇", "钱玥"], ["陈建国", "黄秀英"]),
    "jyj": Profile("临江市教育局", "市教育局", "办公室",
                   ["义务教育招生", "学前教育", "校园安全", "课后服务", "教师队伍建设", "职业教育",
                    "中小学体育", "学校食品安全", "双减", "教育信息化", "特殊教育", "家庭教育指导"],
                   ["周丽华", "吴志强"], ["周丽华", "吴志强"]),
    "sfj": Profile("临江市司法局", "市司法局", "办公室",
                   ["法治宣传教育", "人民调解", "法律援助", "社区矫正", "公证服务", "律师行业管理",
                    "行政复议", "普法依法治理", "公共法律服务体系建设", "法治政府建设"],
                   ["孙立新", "郑海燕"], ["孙立新", "郑海燕"]),
}


def cn_date(day: date, pad: bool = False) -> str:
    """2023年11月5日 (or 2023年11月05日 with pad)."""
    if pad:
        return f"{day.year}年{day.month:02d}月{day.day:02d}日"
    return f"{day.year}年{day.month}月{day.day}日"


NEWS_TITLES = [
    "{org}召开{theme}工作推进会",
    "我市{theme}工作取得新成效",
    "{org}开展{theme}专项行动",
    "全市{theme}工作会议召开",
    "{place}扎实推进{theme}工作",
    "{org}举办{theme}业务培训班暨{theme2}工作交流会",
]
NOTICE_TITLES = [
    "关于{year}年度{theme}专项资金申报工作的通知",
    "关于公布{year}年{theme}示范单位名单的公告",
    "关于开展{year}年{theme}专项检查的通知",
    "关于{theme}有关事项的公示",
    "关于做好{year}年{first}和{second}工作的通知",
]
POLICY_TITLES = [
    "关于印发《临江市{theme}实施方案》的通知",
    "关于进一步加强{theme}工作的实施意见",
    "临江市{theme}管理办法",
    "关于印发《临江市{theme}三年行动计划》的通知",
]
READING_TITLES = ["《临江市{theme}实施方案》政策解读", "一图读懂《关于进一步加强{theme}工作的实施意见》",
                  "《临江市{theme}管理办法》起草说明"]
GUIDE_TITLES = ["{theme}事项办事指南", "{theme}申请服务指南", "{theme}备案办理指南"]
OTHER_TITLES = [
    "{year}年临江市普通高中招生工作问答",
    "关于{year}年中小学教师资格考试报名的公告",
    "{year}年临江市初中学业水平考试安排",
    "临江市{year}年{theme}情况通报",
]


def headline(rng: random.Random, templates: list[str], **fields: object) -> str:
    """One of the headline templates, filled in; the fields are drawn before the template is chosen."""
    return rng.choice(templates).format(**fields)


def news_title(rng: random.Random, prof: Profile, with_leader: bool = False) -> str:
    """A news headline."""
    theme = rng.choice(prof.themes)
    place = rng.choice(PLACES)
    if with_leader:
        return f"{rng.choice(prof.leaders)}带队赴{place}调研{theme}工作"
    return headline(rng, NEWS_TITLES, org=prof.org_short, theme=theme, place=place, theme2=rng.choice(prof.themes))


def notice_title(rng: random.Random, prof: Profile, year: int) -> str:
    """A notice headline."""
    theme = rng.choice(prof.themes)
    first, second = rng.sample(prof.themes, 2)
    return headline(rng, NOTICE_TITLES, year=year, theme=theme, first=first, second=second)


def policy_title(rng: random.Random, prof: Profile) -> str:
    """A policy document headline."""
    return headline(rng, POLICY_TITLES, theme=rng.choice(prof.themes))


def reading_title(rng: random.Random, prof: Profile) -> str:
    """A policy interpretation headline."""
    return headline(rng, READING_TITLES, theme=rng.choice(prof.themes))


def guide_title(rng: random.Random, prof: Profile) -> str:
    """A service guide headline."""
    return headline(rng, GUIDE_TITLES, theme=rng.choice(prof.themes))


def other_title(rng: random.Random, prof: Profile, year: int) -> str:
    """A headline for miscellaneous columns (招生考试 etc.)."""
    return headline(rng, OTHER_TITLES, year=year, theme=rng.choice(prof.themes))


def title_for(kind: str, rng: random.Random, prof: Profile, year: int, leader: bool = False) -> str:
    """A headline fitting a column kind."""
    if kind == "news":
        return news_title(rng, prof, leader)
    if kind == "notice":
        return notice_title(rng, prof, year)
    if kind == "policy":
        return policy_title(rng, prof)
    if kind == "guide":
        return guide_title(rng, prof)
    return other_title(rng, prof, year)


def sentence(rng: random.Random, prof: Profile, day: date | None) -> str:
    """One sentence of official prose; dated sentences only when a date is given."""
    theme = rng.choice(prof.themes)
    act, act2 = rng.sample(ACTIONS, 2)
    options = [
        f"会议指出，{theme}是{rng.choice(GOALS)}的重要举措，各地各部门要{act}。",
        f"{rng.choice(prof.speakers)}强调，要{act}，{act2}，确保{theme}各项任务落到实处。",
        f"下一步，{prof.org_short}将继续{act}，{act2}，推动{theme}工作再上新台阶。",
        f"{rng.choice(UNITS)}要高度重视，{act}，认真做好{theme}相关工作。",
        f"围绕{theme}，{rng.choice(PLACES)}{act}，形成了一批可复制可推广的经验做法。",
    ]
    if day is not None:
        options += [
            f"{cn_date(day)}，{prof.org}召开{theme}工作会议，{act}。",
            f"据统计，{day.year}年以来全市共实施{theme}项目{rng.randint(12, 380)}个，"
            f"同比增长{rng.randint(2, 30)}.{rng.randint(0, 9)}%。",
        ]
    return rng.choice(options)


def paragraph(rng: random.Random, prof: Profile, day: date | None) -> str:
    """A paragraph of 1-3 sentences, sometimes indented with ideographic spaces."""
    text = "".join(sentence(rng, prof, day) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.5:
        text = IDEO_SPACE * 2 + text
    return text


def contact_line(rng: random.Random) -> str:
    """联系人 line with non-breaking spaces inside."""
    return f"联系人：{rng.choice(NAMES)}{NBSP}{NBSP}联系电话：0576-8{rng.randint(1000000, 9999999)}"


def doc_no(rng: random.Random, prefix: str, year: int, brackets: str | None = None) -> str:
    """发文字号 with varying bracket styles."""
    left, right = brackets or rng.choice(["〔〕", "〔〕", "[]", "﹝﹞"])
    kind = rng.choice(["发", "函", "办发"])
    return f"{prefix}{kind}{left}{year}{right}{rng.randint(1, 120)}号"


def table_rows(rng: random.Random, prof: Profile) -> list[list[str]]:
    """A small task table: header plus 2-4 rows."""
    rows = [["序号", "工作任务", "责任单位", "完成时限"]]
    for index in range(rng.randint(2, 4)):
        rows.append([str(index + 1), f"{rng.choice(ACTIONS)}，推进{rng.choice(prof.themes)}",
                     rng.choice([prof.org_short, "各区县（市）", "市财政局", "市自然资源局"]),
                     f"{rng.randint(3, 12)}月底前"])
    return rows


def guide_items(rng: random.Random, prof: Profile) -> list[tuple[str, list[str]]]:
    """Sections of a service guide: heading and its lines."""
    theme = rng.choice(prof.themes)
    return [
        ("一、事项名称", [f"{theme}事项办理"]),
        ("二、办理依据", [f"《临江市{theme}管理办法》"]),
        ("三、申请材料", ["申请表（原件1份）", "申请人身份证明（复印件1份）", "其他相关证明材料"]),
        ("四、办理时限", [f"{rng.randint(3, 20)}个工作日"]),
        ("五、办理地点", [f"临江市民中心{rng.randint(2, 5)}楼{rng.randint(10, 40)}号窗口"]),
        ("六、咨询电话", [f"0576-8{rng.randint(1000000, 9999999)}"]),
    ]
