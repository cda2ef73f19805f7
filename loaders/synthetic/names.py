"""Vocabularies for synthetic ledgers: Chinese names of people, places and organisations.

Kept apart from the phases of :mod:`loaders.synthetic` so the generator reads as
structure (who covers what, who holds which post) while the flavour lives here.  The
words come from the seed texts (街道大工委, 红色驿站, 领办物业 …) and from common
Chinese naming patterns, so a county clerk opening a generated ledger sees names that
look like their own.

Every function takes the caller's ``random.Random``: nothing here keeps state, so the
output depends only on the seed.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence

from graph.codes import Category, UnitKind

# Common surnames, roughly by frequency (王李张刘陈 cover about a third of people).
SURNAMES: tuple[str, ...] = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS: tuple[float, ...] = tuple(
    7.0 if i < 5 else 3.0 if i < 10 else 1.5 if i < 30 else 0.7 for i in range(len(SURNAMES))
)
_MALE = "伟强军磊勇杰涛斌明刚平辉鹏华建国志峰海波飞超林彬宇浩亮俊文东晨阳德福永庆宏"
_FEMALE = "芳娜敏静丽艳娟霞秀英华慧玲红梅琳燕萍洁婷雪颖倩琴云兰凤桂萱晴悦欣怡佳"

COUNTY_STEMS: tuple[str, ...] = (
    "清河", "临江", "嘉禾", "东湖", "西山", "南屏", "北川", "安平", "永宁", "长乐", "万安", "新丰",
    "兴隆", "和顺", "瑞安", "丰泽", "桐庐", "仙居", "龙泉", "凤城", "鹤山", "云溪", "青田", "白沙",
    "金水", "玉湖", "锦江", "宁海", "德清", "崇文", "广福", "泰和", "文成", "普安", "柳城", "梅岭",
    "桃源", "松阳", "竹溪", "兰亭",
)
STREET_STEMS: tuple[str, ...] = (
    "城关", "东城", "西城", "南湖", "北山", "文昌", "凤凰", "新华", "解放", "人民", "建设", "朝阳",
    "光明", "和平", "中山", "滨江", "府前", "长安", "永安", "云龙", "金山", "翠屏", "龙潭", "望江",
)
COMMUNITY_STEMS: tuple[str, ...] = (
    "幸福", "和谐", "育才", "金桥", "锦绣", "清华园", "春晖", "阳光", "文苑", "新村", "学府",
    "东苑", "西苑", "南苑", "北苑", "花园", "枫林", "桂花", "荷塘", "柳岸", "玉泉", "紫荆", "翠竹",
    "书香", "康乐", "安居", "福寿", "同心", "团结", "振兴", "红旗", "胜利", "向阳", "景福", "明珠",
    "天河",
)
VILLAGE_STEMS: tuple[str, ...] = (
    "王家", "李庄", "张湾", "陈村", "杨柳", "刘家桥", "黄泥塘", "马坊", "周家埠", "吴家坝", "孙庄",
    "郭家店",
)
COMPOUND_HEADS: tuple[str, ...] = (
    "锦绣", "阳光", "碧水", "金色", "书香", "翡翠", "紫薇", "海棠", "香樟", "御景", "星河", "盛世",
    "华府", "天悦", "江南", "明月", "云栖", "丽景", "绿城", "东方", "万和", "嘉园", "泰和", "恒大",
    "世纪", "龙湖", "新城", "凯旋", "蓝湾", "清水", "银杏", "梧桐", "朗润", "馨苑", "怡景", "君悦",
)
COMPOUND_TAILS: tuple[str, ...] = (
    "花园", "小区", "家园", "苑", "府", "公寓", "名都", "华庭", "雅居", "新城", "佳苑", "湾",
)
OLD_COMPOUND_HEADS: tuple[str, ...] = (
    "纺织厂", "机械厂", "粮食局", "供销社", "电力局", "教师", "卫生局", "化肥厂", "水泥厂",
    "邮电局", "棉纺", "农机厂", "税务", "交通局", "糖厂", "丝绸厂",
)
OLD_COMPOUND_TAILS: tuple[str, ...] = ("宿舍", "家属院", "新村", "小区", "生活区")

GOVERNMENT_ORGANS: tuple[str, ...] = (
    "财政局", "教育局", "卫健局", "民政局", "住建局", "市场监管局", "人社局", "税务局",
    "自然资源局", "生态环境局", "交通运输局", "农业农村局", "文广旅体局", "司法局", "应急管理局",
    "退役军人事务局", "统计局", "审计局", "医保局", "城管执法局", "信访局", "团县委", "妇联",
    "总工会", "科协", "发改局", "商务局", "水利局", "档案馆", "政务服务中心",
)
PUBLIC_INSTITUTIONS: tuple[str, ...] = (
    "图书馆", "疾控中心", "不动产登记中心", "融媒体中心", "公共资源交易中心", "文化馆",
    "气象局", "社会福利院", "妇幼保健院", "住房公积金中心", "博物馆", "青少年活动中心",
)
STATE_ENTERPRISES: tuple[str, ...] = (
    "城投集团", "供电公司", "自来水公司", "农商银行", "移动分公司", "电信分公司", "公交公司",
    "燃气公司", "建设银行支行", "邮政分公司", "交投集团", "文旅集团",
)
PRIVATE_STEMS: tuple[str, ...] = (
    "华宇", "鼎盛", "宏达", "瑞丰", "恒信", "金鼎", "远航", "博创", "天成", "汇通", "永盛", "新源",
    "中孚", "百川", "凯瑞", "晨光", "明德", "启航", "润泽", "兴业",
)
PRIVATE_TRADES: tuple[str, ...] = (
    "科技有限公司", "建材有限公司", "电子有限公司", "食品有限公司", "纺织有限公司", "物流有限公司",
    "医药连锁有限公司", "超市有限公司", "律师事务所", "会计师事务所", "餐饮管理有限公司",
)
SCHOOL_TAILS: tuple[str, ...] = ("小学", "中学", "实验学校", "幼儿园", "职业中专")
HOSPITALS: tuple[str, ...] = ("人民医院", "中医院", "第二人民医院", "妇幼保健院", "口腔医院")

FIRM_STEMS: tuple[str, ...] = (
    "绿城", "万科", "保利", "中海", "碧桂园", "金地", "龙湖", "华润", "世茂", "雅生活", "彩生活",
    "新大正", "鑫苑", "永升", "滨江", "东方", "安居", "乐家", "佳美", "康居", "宜居", "和泰",
    "悦华", "锦程", "天和", "海德", "正信", "恒安", "民生", "瑞景",
)
STATE_FIRM_STEMS: tuple[str, ...] = ("城投", "国资", "安居", "交投", "文旅", "城发")

# Street-level branches of each kind of unit, used once the county-level names run out.
STREET_OFFICES: dict[str, tuple[str, ...]] = {
    UnitKind.GOVERNMENT_ORGAN: ("街道办事处", "司法所", "市场监管所", "财政所", "税务分局",
                                "人民法庭"),
    UnitKind.PUBLIC_INSTITUTION: ("文化站", "便民服务中心", "退役军人服务站", "农业综合服务站"),
    UnitKind.STATE_ENTERPRISE: ("供电所", "邮政支局", "农商银行支行", "移动营业厅"),
    UnitKind.HOSPITAL: ("社区卫生服务中心", "卫生院"),
}

SOCIAL_ORGS: tuple[str, ...] = (
    "物业管理协会", "社会工作服务中心", "老年协会", "志愿者协会", "青少年服务中心",
    "心理咨询服务中心", "残疾人康复协会", "家政服务协会", "律师协会调解中心", "红十字会服务站",
    "爱心助学会", "邻里互助会", "文体协会", "书画协会", "慈善会",
)
VOLUNTEER_TEAMS: tuple[str, ...] = (
    "红色近邻志愿服务队", "银龄志愿服务队", "巾帼志愿服务队", "青年突击队", "平安巡逻队",
    "文明劝导队", "义诊志愿服务队", "法律援助志愿队", "助老敬老服务队", "环保志愿服务队",
    "便民维修服务队", "四点半课堂志愿队", "心理疏导志愿队", "文艺志愿服务队",
)

SITE_SERVICES: tuple[str, ...] = (
    "党员活动", "政务代办", "便民理发", "法律咨询", "健康义诊", "四点半课堂", "助餐服务",
    "图书阅览", "心理疏导", "就业指导", "矛盾调解", "爱心驿站", "快递暂存", "应急药箱",
)

# Demand titles and resource names by category code (graph.model.CATEGORIES).
DEMAND_TITLES: dict[str, tuple[str, ...]] = {
    Category.ELDER_CARE: ("独居老人助餐", "高龄老人上门探访", "老人陪同就医", "失能老人助浴",
                          "老人代购生活用品"),
    Category.CHILD_CARE: ("四点半课堂托管", "暑期托管班", "留守儿童辅导作业",
                          "儿童安全教育讲座"),
    Category.MEDICAL: ("上门测血压血糖", "慢病用药咨询", "家庭医生签约",
                       "行动不便老人上门体检"),
    Category.LEGAL: ("物业纠纷法律咨询", "遗产继承咨询", "劳动合同纠纷咨询", "邻里纠纷调解"),
    Category.EMPLOYMENT: ("失业人员再就业帮扶", "灵活就业技能培训",
                          "高校毕业生求职指导"),
    Category.REPAIR: ("楼道灯维修", "单元门禁损坏", "下水管道堵塞", "屋顶漏水维修",
                      "电梯故障报修", "加装电梯协调"),
    Category.ENVIRONMENT: ("飞线充电整治", "清理楼道杂物", "小区菜园清理", "垃圾分类点整改",
                           "绿化带补植", "违章搭建整治"),
    Category.SAFETY: ("消防通道被占", "小区监控补装", "电动车集中充电桩", "夜间巡逻",
                      "高空抛物隐患"),
    Category.CULTURE: ("广场舞场地协调", "老年大学课程", "社区读书会", "节日文艺演出"),
    Category.DISABILITY: ("残疾人辅具申领", "困难家庭帮扶", "无障碍通道改造", "低保户慰问"),
}
RESOURCE_NAMES: dict[str, tuple[str, ...]] = {
    Category.ELDER_CARE: ("助餐配送", "上门陪护", "代购代办", "老年食堂"),
    Category.CHILD_CARE: ("课后辅导", "托管教室", "志愿家教", "亲子阅读"),
    Category.MEDICAL: ("义诊服务", "健康讲座", "上门体检", "康复指导"),
    Category.LEGAL: ("法律咨询", "人民调解", "法律援助", "普法讲座"),
    Category.EMPLOYMENT: ("就业岗位", "技能培训", "创业指导", "招聘对接"),
    Category.REPAIR: ("水电维修", "家电维修", "管道疏通", "开锁换锁"),
    Category.ENVIRONMENT: ("保洁服务", "绿化养护", "垃圾清运", "环境整治队"),
    Category.SAFETY: ("巡逻值守", "消防检查", "安全培训", "监控维护"),
    Category.CULTURE: ("活动场地", "文艺辅导", "图书借阅", "体育器材"),
    Category.DISABILITY: ("助残服务", "康复器材", "爱心捐助", "无障碍改造"),
}
PROJECT_THEMES: tuple[str, ...] = (
    "老旧小区改造", "红色物业提升", "党群服务站建设", "四点半课堂", "助老食堂", "加装电梯",
    "垃圾分类示范", "平安小区创建", "无物业小区托管", "邻里节", "口袋公园", "充电桩建设",
)


def person_name(rng: random.Random, female: bool) -> str:
    """Surname + one or two given-name characters (two-character given names dominate)."""
    surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    pool = _FEMALE if female else _MALE
    given = rng.choice(pool) if rng.random() < 0.3 else rng.choice(pool) + rng.choice(pool)
    return surname + given


def distinct(rng: random.Random, pool: Sequence[str], n: int) -> list[str]:
    """``n`` names from ``pool`` without repeats; a numeral is appended once it runs out."""
    order = list(pool)
    rng.shuffle(order)
    out: list[str] = []
    for i in range(n):
        round_no, idx = divmod(i, len(order))
        out.append(order[idx] if round_no == 0 else f"{order[idx]}{_CN_NUMERALS[round_no % 10]}")
    return out


_CN_NUMERALS = "〇一二三四五六七八九"


def unit_names(rng: random.Random, prefix: str, county_level: Sequence[str],
               streets: Sequence[str], kind: str) -> Iterator[str]:
    """Distinct unit names: county-level ones first (清河县财政局), then street-level
    offices (城关司法所), then numbered branches."""
    first = [prefix + name for name in county_level]
    rng.shuffle(first)
    second = [street + office for office in STREET_OFFICES[kind] for street in streets]
    rng.shuffle(second)
    yield from first
    yield from second
    for i in itertools.count(2):
        for name in first:
            yield f"{name}第{i}分部"


def compound_name(rng: random.Random, old: bool) -> str:
    if old:
        return rng.choice(OLD_COMPOUND_HEADS) + rng.choice(OLD_COMPOUND_TAILS)
    return rng.choice(COMPOUND_HEADS) + rng.choice(COMPOUND_TAILS)


def phone(rng: random.Random) -> str:
    return rng.choice(("138", "139", "135", "137", "150", "151", "158", "186", "187", "189")) + \
        f"{rng.randrange(10**8):08d}"


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number(rng: random.Random, region: str, birth_year: int, female: bool) -> str:
    """A fake 18-digit resident ID with a valid check digit (region, birth date, sequence)."""
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    seq = rng.randrange(50) * 2 + (0 if female else 1)
    body = f"{region}{birth_year:04d}{month:02d}{day:02d}{rng.randrange(10)}{seq:02d}"
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check
