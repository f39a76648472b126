"""What simulated accounts write: the team's own Chinese and English templates, by role.

Written by the Warden team for the simulator (not copied from any corpus). Slots in braces
are filled by :mod:`warden.simulate.content`: ``{c}`` a contact phrase with the ring's
handle (``加V：mm_love520``), ``{p}``/``{q}`` prices, ``{d}`` a deposit, ``{big}`` a larger
sum, ``{city}``, ``{url}`` a phishing link, ``{name}``, ``{time}``, ``{room}``,
``{flight}``, ``{handle}`` an ordinary person's own WeChat id.

The benign texts are the hard part: ordinary chat that *contains* the words abusers use —
按摩椅, 喝茶, 足球, 洗澡, 上门维修, room numbers, prices, flights, "escort carrier" — so a
filter that matches words rather than meaning fails on them. A unit test screens every
benign template and keeps them all under 0.45 in every category.

Texts stay SMS-length (10–80 characters): the sweep has to screen a million of them fast.
"""

from __future__ import annotations

# --- abusive, by role ----------------------------------------------------------------------

ESCORT_ZH = (
    "新到学生妹 包夜{p} 全套服务 {c}",
    "{city}高端外围 空降 可到酒店 {c}",
    "楼凤信息 {city} 小姐上门 {c}",
    "学生妹上门 快餐{q} 包夜{p} {c}",
    "{city}同城约炮 真人照片 {c}",
    "兼职学生妹 可出台 包夜{p} {c}",
    "莞式全套 桑拿一条龙 {c}",
    "商务伴游 高端外围 {city}可空降 {c}",
    "少妇上门 胸推 全套服务 {c}",
    "品茶工作室 新茶妹 学生茶 {c}",
    "援交 一夜情 {city}附近 {c}",
    "美女上门 包夜价格{p} {c}",
)
ESCORT_EN = (
    "Hot asian girls, incall/outcall in {city}, {c}",
    "VIP escort service in {city}, full service escort {c}",
    "Independent escort available tonight, GFE {c}",
    "Happy ending massage, hotel incall {c}",
    "Call girls in {city}, outcall to your hotel {c}",
)
#: Careful escorts: softer words (0.5–0.8), no handle in the message — it is in the profile.
ESCORT_SOFT_ZH = (
    "新茶到了，品茶的私聊",
    "同城空降 懂的来",
    "可空降 可过夜 看签名",
    "约茶吗 有新茶 详情看签名",
    "嫩妹 可上门 看我签名",
)
ESCORT_SOFT_EN = ("sensual massage, discreet service, see my profile",)
ESCORT_SIGNATURE_ZH = ("品茶 空降 {c}", "高端外围 全国空降 {c}", "楼凤 上门 {c}", "约茶 {c}")
ESCORT_SIGNATURE_EN = ("incall / outcall {c}", "vip escort {c}")
ESCORT_SOFT_SIGNATURE_ZH = ("品茶 {c}", "懂的来 {c}", "新茶 {c}")
ESCORT_SOFT_SIGNATURE_EN = ("massage {c}",)
ESCORT_NICKNAMES = ("小美", "甜心宝贝", "夜玫瑰", "安琪", "Lily", "Coco", "小雪", "糖糖")

DEPOSIT_ZH = (
    "上门服务 包夜{p} 先付定金{d}才安排 {c}",
    "美女上门 快餐{q} 需先交定金{d} {c}",
    "{city}空降 包夜{p} 付诚意金{d}马上出发 {c}",
    "学生妹上门 先转路费{d} 到了再付尾款 {c}",
)
DEPOSIT_EN = (
    "Outcall tonight in {city}, deposit first {d} to book {c}",
    "Escort service, send a deposit of {d} to confirm {c}",
)
DEPOSIT_SOFT_ZH = ("可上门 先付定金{d} 看签名", "嫩妹可上门 诚意金{d} 私聊")

PORN_ZH = (
    "高清无码 国产自拍 每天更新 会员{q}元 {c}",
    "成人视频 福利姬 资源群 {c}",
    "一对一裸聊 视频裸聊 {q}元一次 {c}",
    "看片群 无码视频 永久会员 {c}",
    "卖裸照 私密视频 {c}",
)
PORN_EN = (
    "Leaked nudes and sex videos, VIP group {q} {c}",
    "Uncensored JAV collection, porn videos daily {c}",
    "Live sex cams, horny girls online now {c}",
)

GAMBLING_ZH = (
    "真人荷官 百家乐 首存送100% {c}",
    "线上赌场 注册送彩金 天天返水 {c}",
    "重庆时时彩 彩票计划群 稳赚计划 {c}",
    "外围赌球 足球投注 返水无上限 {c}",
    "可提现棋牌 抢庄牛牛 上下分 {c}",
    "红包扫雷群 牛牛红包 进群 {c}",
)
GAMBLING_EN = (
    "Online casino, 100% first deposit bonus, free spins {c}",
    "Sure odds, fixed matches this weekend {c}",
    "Live casino baccarat, no deposit bonus {c}",
)

FRAUD_ZH = (
    "黑户可贷 不看征信 当天放款 {c}",
    "征信不好也能贷 百分百下款 {c}",
    "您的银行卡已冻结，点击链接解冻 {url}",
    "密码器将于今日失效，请登录 {url}",
    "兼职刷单 日赚千元 垫付任务 {c}",
    "刷单返利 做任务返佣 {c}",
    "我是你领导，明天来我办公室，先帮我转{big}",
    "恭喜您中奖，场外幸运观众，中奖手续费{d}",
    "带单老师 稳赚不赔 内幕消息 {c}",
    "注销校园贷 否则影响征信 {c}",
    "涉嫌洗钱 转入安全账户 配合资金核查",
    "关闭百万保障 否则每月扣费 {c}",
)
FRAUD_EN = (
    "Your account has been suspended, click here to verify {url}",
    "Congratulations you have won! Claim your prize, release fee {d}",
    "Guaranteed profit, double your bitcoin {c}",
    "Bad credit ok, no credit check loans, verification fee {d} {c}",
)

SPAM_ZH = (
    "代开各类发票 {c}",
    "高仿手表 一比一复刻 {c}",
    "办各类证件 学历证书代办 {c}",
    "快速涨粉 刷赞 刷播放量 {c}",
    "足不出户月入过万 宝妈兼职 {c}",
    "内部优惠券 加微信领取 {c}",
    "短信群发 精准引流 {c}",
)
SPAM_EN = (
    "Buy followers cheap, sub4sub {c}",
    "Earn money fast, work from home {c}",
    "Cheap meds, viagra, cialis {c}",
    "Hot singles in your area! {c}",
)
#: What a hijacked account blasts to strangers.
HIJACK_ZH = (
    "点击链接领取现金红包 {url}",
    "兼职刷单 日赚千元 {c}",
    "内部优惠券 加微信领取 {c}",
    "恭喜您中奖，场外幸运观众 {c}",
)
HIJACK_EN = ("Claim your free gift card now {url}", "Earn money fast, work from home {c}")

HARASSMENT_ZH = (
    "你个傻逼，去死吧",
    "臭婊子，我知道你住哪",
    "草泥马，你算什么东西",
    "你全家死光，狗东西",
    "弄死你，你给我等着",
    "脑残 人渣 滚你妈",
)
HARASSMENT_EN = (
    "you stupid bitch, kill yourself",
    "fuck off you worthless piece of shit",
    "i know where you live, watch your back",
    "go die in a fire, everyone hates you",
)

TERROR_ZH = ("加入圣战，杀光异教徒", "前往叙利亚参战，加入圣战", "迁徙圣战 杀死异教徒")
TERROR_EN = ("join the jihad, kill the infidels", "death to infidels, join isis")

SPAMMY_POSTS_ZH = (
    ("内部消息", "带单老师 稳赚不赔 刷单返利 {c}"),
    ("福利", "注册送彩金 真人荷官 百家乐 {c}"),
    ("招聘", "兼职刷单 日赚千元 垫付任务 {c}"),
)
SPAMMY_POSTS_EN = (("Opportunity", "Guaranteed profit, double your bitcoin {c}"),)

# --- benign --------------------------------------------------------------------------------

PRIVATE_ZH = (
    "晚上一起喝茶聊天吧",
    "我新买了个按摩椅，周末来试试",
    "明天坐{flight}去北京，{time}到",
    "会议改到{room}房间，记得带电脑",
    "这个按摩椅{p}元，值不值",
    "周末去踢足球吗？{time}老地方",
    "刚洗完澡，等下给你回电话",
    "妈，我到家了，别担心",
    "{name}生日快乐！晚上吃火锅",
    "快递放门口了，记得拿",
    "房租{p}，这个月我先转你",
    "孩子发烧了，明天请假",
    "足疗店那家不错，带爸妈去按按脚",
    "今年的明前新茶到了，给你留了两盒",
    "酒店订好了，{room}号房，早上八点出发",
    "我在楼下快餐店，你要吃什么",
    "上门维修的师傅几点到？",
    "网吧包夜太累了，再也不去了",
    "航班{flight}延误了，晚点到",
    "体检报告出来了，一切正常",
    "红包收到了，谢谢！",
    "今晚加班，你们先吃",
    "我微信换了，新号{handle}",
    "卧槽，这球进得太漂亮了",
    "下班一起去泡个澡放松一下",
    "周六约了{name}去爬山，你来吗",
    "外卖到了吗？我点了{p}块的套餐",
    "明天{time}在公司楼下等你",
    "小区停水了，洗澡得等晚上",
    "帮我带杯奶茶，谢谢",
    "兼职家教一小时{p}，你觉得贵吗",
    "今天足球比赛几点开始？",
    "给你发了个红包，生日快乐",
    "这家足浴店环境挺好的",
    "我到{room}门口了，开下门",
    "电影票买好了，{time}开场",
)
PRIVATE_EN = (
    "Running late, see you at {time}",
    "Flight {flight} lands at {time}",
    "Room {room}, third floor, door on the left",
    "The massage chair arrived, come try it",
    "Football tonight? Usual pitch at {time}",
    "Just out of the shower, call you in five",
    "Dinner was {p} each, I'll pay you back",
    "Happy birthday {name}!",
    "Can you pick up the kids today?",
    "Watched a documentary on an escort carrier, great stuff",
    "Meeting moved to room {room}",
    "Tea at my place on Sunday?",
    "Got the tickets, doors open at {time}",
    "Rent is {p} this month, sending my half",
)
GROUP_ZH = (
    "大家周六几点集合？",
    "明天开会改到{room}，别走错了",
    "足球群：今晚{time}老场地",
    "红包拿到了，谢谢群主",
    "谁有充电宝借我一下",
    "家长会改到周五{time}",
    "今天的作业是第{room}页",
    "生日快乐！群里一起祝{name}生日快乐",
    "周末喝茶的报个名",
    "团购的按摩椅到货了，来{room}取",
    "楼下快餐店今天打折",
    "航班{flight}的同事到了吗",
)
GROUP_EN = (
    "Who's in for football on Saturday?",
    "Meeting moved to room {room}",
    "Happy birthday {name}!",
    "Dinner at {time}, table booked",
)
COMMENTS_ZH = ("说得好", "支持！", "已转发", "明天几点开始？", "今年的新茶怎么买", "谢谢提醒")
COMMENTS_EN = ("Great news", "Thanks for sharing", "What time does it start?")
FRIEND_REQUEST_ZH = ("你好，我是{name}", "我是你同事{name}", "{name}推荐的，加个好友")
FRIEND_REQUEST_EN = ("Hi, it's {name} from work", "Met you at the game, {name}")
NICKNAMES = ("小王", "阿强", "静静", "老张", "木木", "Kevin", "Amy", "大熊", "晴天", "阿杰")
SIGNATURES = (
    "喜欢喝茶、足球和旅行",
    "生活就是一杯茶",
    "努力工作，认真生活",
    "Coffee, football and code",
    "家有按摩椅，幸福感满满",
    "",
)
PAYMENT_MEMOS = ("AA 晚饭", "房租", "生日红包", "车费", "奶茶", "电影票", "", "", "dinner")

#: Official accounts' articles (title, text): tricky words in honest use.
OFFICIAL_POSTS_ZH = (
    ("春季新茶上市", "明前新茶到店，本周六品茶会欢迎参加"),
    ("足球周末赛程", "周六{time}开球，门票{p}元"),
    ("防骗提醒", "刷单都是诈骗，公检法没有安全账户"),
    ("门店促销", "按摩椅限时特价{p}元，送货上门"),
    ("航班提醒", "航班{flight}登机口变更，请留意广播"),
    ("拒绝网赌", "远离赌博，拒绝网赌，珍惜家庭"),
    ("社区通知", "本周三停水，请提前洗澡储水"),
)
OFFICIAL_POSTS_EN = (
    ("Match day", "Kick-off at {time}, tickets {p}"),
    ("Scam alert", "We will never ask for your password"),
)

NAMES_ZH = ("小李", "王磊", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "小美", "老周", "阿芳")
NAMES_EN = ("Tom", "Anna", "Ben", "Lucy", "Mark", "Sophie", "Jack", "Emma")
CITIES_ZH = ("北京", "上海", "广州", "深圳", "东莞", "成都", "杭州", "武汉", "重庆", "西安")
CITIES_EN = ("Shanghai", "Singapore", "Kuala Lumpur", "Hong Kong", "London", "Sydney")
AIRLINES = ("CA", "MU", "CZ", "HU", "ZH", "3U", "MF", "SQ", "CX")
BANKS = ("icbc", "ccb", "boc", "cmb", "abc", "alipay")
PHISH_WORDS = ("verify", "safe", "unlock", "service", "kefu", "secure")
PHISH_TLDS = ("top", "xyz", "cc", "vip", "icu")
