"""Shipped data: the national portal column tree and the 26 领域 基层政务公开标准目录, each node with its synonyms.

The portal tree follows the national guideline on government websites (信息发布, 政府信息公开, 解读回应, 办事服务,
互动交流; see ../shared/domain/portal-columns.md) with the usual sub-columns; 重点领域信息公开 holds the 26 pilot
领域 of the 基层政务公开标准目录 (国办发〔2017〕42号 pilot list, standardised by 国办发〔2019〕54号).
A portal tree in migrations.yaml need not use these ids: each of its columns is matched to the standard node whose
name or synonym it carries (see `standard_node_for`), and the node's synonyms then recognise legacy names for it.
Synonyms are whole column names seen on legacy sites (Simplified; Traditional folds in `synonyms.normalise`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

# (id, name, kind, synonyms, children)
_Node = tuple[str, str, str, tuple[str, ...], tuple]

DOMAINS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # the 26 pilot 领域 of the 基层政务公开标准目录: (id, name, synonyms)
    ("zdjsxm", "重大建设项目", ("重大建设项目", "重大项目", "重点项目", "建设项目", "项目建设")),
    ("ggzyjy", "公共资源交易", ("公共资源交易", "招标采购", "政府采购", "招投标", "招标投标", "采购公告", "招标公告",
                              "中标公告", "中标公示", "成交公告", "采购信息", "招标信息", "交易信息", "交易公告",
                              "工程招标", "工程交易", "土地交易", "产权交易", "国有产权交易", "采购结果", "招标预告")),
    ("czyjs", "财政预决算", ("财政预决算", "预决算公开", "部门预算", "部门决算", "预算决算", "三公经费", "财政资金",
                           "预算公开", "决算公开")),
    ("aqsc", "安全生产", ("安全生产", "安全监管", "应急管理")),
    ("ssgl", "税收管理", ("税收管理", "税务信息", "纳税服务")),
    ("zdbc", "征地补偿", ("征地补偿", "征地信息", "土地征收")),
    ("fwzs", "国有土地上房屋征收与补偿", ("国有土地上房屋征收与补偿", "房屋征收", "征收补偿")),
    ("ncwfgz", "农村危房改造", ("农村危房改造", "危房改造")),
    ("fp", "扶贫", ("扶贫", "扶贫开发", "精准扶贫", "脱贫攻坚", "扶贫工作")),
    ("spypjg", "食品药品监管", ("食品药品监管", "食品安全", "药品监管", "食品药品")),
    ("shjz", "社会救助", ("社会救助", "低保", "最低生活保障", "特困供养", "临时救助")),
    ("ylfw", "养老服务", ("养老服务", "养老机构", "老龄工作")),
    ("hjgl", "户籍管理", ("户籍管理", "户政", "户口办理")),
    ("snbt", "涉农补贴", ("涉农补贴", "惠农补贴", "农业补贴")),
    ("ywjy", "义务教育", ("义务教育", "招生入学", "招生及录取工作", "入学招生", "学籍管理", "教育指导工作",
                        "教育系统管理", "学生资助")),
    ("ylws", "医疗卫生", ("医疗卫生", "卫生健康", "医疗服务", "公共卫生")),
    ("hjbh", "环境保护", ("环境保护", "生态环境", "环境监测", "环评公示")),
    ("ggwhfw", "公共文化服务", ("公共文化服务", "文化服务", "公共文化")),
    ("ggflfw", "公共法律服务", ("公共法律服务", "法律服务", "法律援助")),
    ("jiuye", "就业", ("就业", "就业创业", "就业服务", "就业信息")),
    ("shbx", "社会保险", ("社会保险", "社保", "社保信息", "养老保险", "医疗保险")),
    ("jiuzai", "救灾", ("救灾", "灾害救助", "防灾减灾")),
    ("szfw", "市政服务", ("市政服务", "市政公用", "市政设施")),
    ("bzxzf", "保障性住房", ("保障性住房", "住房保障", "保障房", "公租房")),
    ("ncjtzc", "农村集体资产管理", ("农村集体资产管理", "集体资产", "农村集体产权")),
    ("cxgh", "城乡规划", ("城乡规划", "规划公示", "规划批前公示", "规划信息", "城市规划")),
)

TREE: tuple[_Node, ...] = (
    ("xxfb", "信息发布", "other", ("信息发布",), (
        ("gkxx", "概况信息", "other", ("概况信息", "本地概况", "单位简介", "单位概况", "机关简介", "协会简介", "协会介绍",
                                     "中心简介", "中心概况", "关于我们", "走进我们", "本站简介", "站点简介", "欢迎辞",
                                     "概况", "简介", "基本情况", "部门概况", "局情简介", "学校简介",
                                     "联系我们", "联系方式",
                                     "aboutus", "about", "contactus", "overview"), ()),
        ("jgzn", "机构职能", "other", ("机构职能", "机构设置", "机构职责", "部门职能", "内设机构", "科室设置", "科室简介",
                                     "科室职能", "二级机构", "各二级机构", "直属单位", "下属单位", "机构概况",
                                     "职能职责", "主要职责", "各科室", "科室", "职能科室", "组织机构", "机构简介",
                                     "本局概况", "领导机构"), ()),
        ("fzrxx", "负责人信息", "other", ("负责人信息", "领导信息", "领导之窗", "领导分工", "领导简介", "领导介绍",
                                       "班子成员", "领导班子", "局领导", "委领导", "现任领导"), ()),
        ("zcwj", "政策文件", "policy", ("政策文件", "文件资料", "文件通知", "规范性文件", "政策法规", "法规文件",
                                      "政府文件", "部门文件", "法律法规", "文件发布", "政策法规文件", "本级文件",
                                      "上级文件", "文件速递", "法规规章", "行政法规", "地方性法规", "部门规章",
                                      "法律", "司法解释", "政策", "红头文件", "公文", "文件",
                                      "policies", "regulations"), ()),
        ("zwdt", "政务动态", "news", ("政务动态", "新闻中心", "新闻资讯", "新闻发布", "新闻动态"), (
            ("gzdt", "工作动态", "news", ("工作动态", "工作信息", "动态信息", "快讯", "简讯", "工作简讯", "工作快讯", "单位动态", "本局动态",
                                         "本委动态", "机关动态", "政务信息", "中心动态", "中心新闻", "业务动态",
                                         "宣传报道", "新闻报道", "新闻", "动态",
                                         "科室工作", "工作交流", "电视报道", "媒体报道", "新闻信息",
                                         "图片新闻", "图片报道", "视频新闻", "综合新闻", "最新动态",
                                         "news", "latestnews", "newsevents"), ()),
            ("bmdt", "部门动态", "news", ("部门动态", "部门信息", "基层动态", "县区动态", "区县动态", "乡镇动态",
                                         "基层信息", "学校新闻", "校园动态", "各地动态", "地方动态"), ()),
            ("yw", "要闻", "news", ("要闻", "今日要闻", "头条新闻", "重要新闻", "要闻动态", "新闻要闻", "时政要闻",
                                   "幻灯新闻", "首页幻灯新闻", "焦点新闻", "头条", "政务要闻"), ()),
            ("tzgg", "通知公告", "notice", ("通知公告", "公示公告", "公告公示", "通知通告", "公告通知", "通告公告",
                                           "公告栏", "最新公告", "公示", "公告", "通知", "公文通知", "通告",
                                           "公示公示", "公告信息", "notices", "notice",
                                           "announcements"), ()),
        )),
    )),
    ("zfxxgk", "政府信息公开", "other", ("政府信息公开", "信息公开", "政务公开", "信息公开目录", "公开目录"), (
        ("gkzn", "政府信息公开指南", "other", ("政府信息公开指南", "信息公开指南", "公开指南"), ()),
        ("gkzd", "政府信息公开制度", "other", ("政府信息公开制度", "信息公开制度", "公开制度"), ()),
        ("fdgk", "法定主动公开内容", "other", ("法定主动公开内容", "主动公开", "主动公开目录"), (
            ("rsxx", "人事信息", "personnel", ("人事信息", "人事任免", "干部任免", "人事动态", "任前公示", "人事招考",
                                             "招录信息", "人事招聘", "人才招聘", "招聘信息", "录用信息",
                                             "招考信息", "招教考试", "公开招聘", "人员招录", "干部人事",
                                             "jobs", "recruitment", "careers"), ()),
            ("ghjh", "规划计划", "plan", ("规划计划", "发展规划", "工作计划", "计划总结", "工作总结", "计划规划",
                                        "规划总结"), ()),
            ("tjxx", "统计信息", "other", ("统计信息", "统计数据", "统计公报", "统计分析"), ()),
            ("zdly", "重点领域信息公开", "other", ("重点领域信息公开", "重点领域", "基层政务公开标准目录"),
             tuple((did, name, "other", syns, ()) for did, name, syns in DOMAINS)),
        )),
        ("gknb", "政府信息公开年报", "other", ("政府信息公开年报", "信息公开年报", "年度报告", "公开年报",
                                              "政府信息公开工作年度报告", "政府信息公开年度报告", "信息公开年度报告"), ()),
        ("ysqgk", "依申请公开", "other", ("依申请公开", "申请公开", "依申请公开满意度评价"), ()),
    )),
    ("jdhy", "解读回应", "interpretation", ("解读回应",), (
        ("zcjd", "政策解读", "interpretation", ("政策解读", "文件解读", "图解政策", "政策问答", "解读", "图解"), ()),
        ("hygq", "回应关切", "interpretation", ("回应关切", "热点回应", "舆情回应", "关切回应"), ()),
    )),
    ("bsfw", "办事服务", "guide", ("办事服务", "网上服务", "便民服务"), (
        ("bszn", "办事指南", "guide", ("办事指南", "服务指南", "办事须知", "服务事项", "办事流程", "审批事项",
                                     "操作手册", "收费标准", "常见问题", "办事程序"), ()),
        ("bgxz", "表格下载", "guide", ("表格下载", "下载中心", "资料下载", "文档下载", "表格下载区", "下载专区",
                                     "申请表", "表格", "下载", "文件下载", "downloads", "download",
                                     "forms"), ()),
        ("zxbs", "在线办事", "guide", ("在线办事", "网上办事", "网上办理", "在线办理"), ()),
    )),
    ("hdjl", "互动交流", "other", ("互动交流", "政民互动", "公众参与", "互动平台"), (
        ("ldxx", "领导信箱", "other", ("领导信箱", "局长信箱", "主任信箱", "书记信箱", "市长信箱", "县长信箱",
                                     "咨询投诉", "网上信访", "我要写信", "咨询", "建议", "投诉", "举报",
                                     "在线咨询", "信访", "投诉举报"), ()),
        ("zxft", "在线访谈", "other", ("在线访谈", "访谈直播", "网上访谈"), ()),
        ("myzj", "民意征集", "other", ("民意征集", "意见征集", "征求意见", "网上调查", "调查征集", "问卷调查"), ()),
    )),
    ("ztzl", "专题专栏", "other", ("专题专栏", "专题", "专栏", "特色栏目", "专题活动"), ()),
)

TOPIC_NODE = "ztzl"  # where a legacy column with no standard function may live on as a 特色栏目
KIND_DEFAULTS: dict[str, str] = {  # the node a column goes to when only its kind is known
    "news": "gzdt", "notice": "tzgg", "policy": "zcwj", "interpretation": "zcjd", "guide": "bszn",
    "personnel": "rsxx", "plan": "ghjh",
}


@dataclass(frozen=True)
class StandardNode:
    """One node of the standard portal tree: its id, name, kind, synonyms and place."""

    id: str
    name: str
    kind: str
    synonyms: tuple[str, ...]
    path: tuple[str, ...]  # ids from the root to this node
    children: tuple[str, ...] = field(default=())


@lru_cache(maxsize=1)
def standard_nodes() -> dict[str, StandardNode]:
    """Every standard node by id (depth first)."""
    nodes: dict[str, StandardNode] = {}

    def walk(items: tuple, parents: tuple[str, ...]) -> None:
        for node_id, name, kind, synonyms, children in items:
            path = (*parents, node_id)
            nodes[node_id] = StandardNode(node_id, name, kind, (name, *synonyms), path,
                                          tuple(child[0] for child in children))
            walk(children, path)

    walk(TREE, ())
    return nodes


def node_label(node_id: str) -> str:
    """A standard node's path of names, e.g. 信息发布 > 政务动态 > 工作动态."""
    nodes = standard_nodes()
    return " > ".join(nodes[i].name for i in nodes[node_id].path)


def tree_yaml(indent: int = 4) -> str:
    """The standard tree as a migrations.yaml `portal.columns` block (ids, names, kinds; synonyms stay built in)."""
    lines: list[str] = []

    def walk(items: tuple, depth: int) -> None:
        pad = " " * (indent + 2 * depth)
        for node_id, name, kind, _synonyms, children in items:
            lines.append(f"{pad}- id: {node_id}\n{pad}  name: {name}\n{pad}  kind: {kind}")
            if children:
                lines.append(f"{pad}  children:")
                walk(children, depth + 2)

    walk(TREE, 0)
    return "\n".join(lines) + "\n"
