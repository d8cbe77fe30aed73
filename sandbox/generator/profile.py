"""The simulated hospital: issuing points, business types, charge items, channels, people.

Figures are plausible for a large public hospital in Guangdong (region code 44), not real data.
"""

from __future__ import annotations

from dataclasses import dataclass

REGION = "44"  # province part of the bill code
BILL_CLASS = "06"  # medical charge bills (医疗收费票据)
KIND_OUTPATIENT = "01"
KIND_INPATIENT = "02"
KIND_PAPER = "03"

KIND_NAMES = {
    KIND_OUTPATIENT: "医疗收费电子票据（门诊） medical e-bill, outpatient",
    KIND_INPATIENT: "医疗收费电子票据（住院） medical e-bill, inpatient",
    KIND_PAPER: "医疗门诊收费票据（纸质） medical paper bill",
}


def bill_code(kind: str, year: int) -> str:
    """8 digits: region(2) + class(2) + kind(2) + year(2); changes every 1 January."""
    return f"{REGION}{BILL_CLASS}{kind}{year % 100:02d}"


# busType -> (name, share of bills, bill kind, item count range, price scale)
@dataclass(frozen=True)
class BusType:
    code: str
    name: str
    share: float
    kind: str
    items: tuple[int, int]
    price_scale: float
    inpatient: bool = False


BUS_TYPES: tuple[BusType, ...] = (
    BusType("02", "门诊 outpatient", 0.52, KIND_OUTPATIENT, (1, 6), 1.0),
    BusType("06", "挂号 registration", 0.14, KIND_OUTPATIENT, (1, 1), 0.15),
    BusType("03", "急诊 emergency", 0.08, KIND_OUTPATIENT, (1, 7), 1.4),
    BusType("04", "门诊特殊病 special outpatient", 0.05, KIND_OUTPATIENT, (2, 6), 2.0),
    BusType("05", "体检 physical exam", 0.05, KIND_OUTPATIENT, (3, 8), 1.2),
    BusType("12", "门诊预交金 outpatient prepayment", 0.03, KIND_OUTPATIENT, (1, 1), 3.0),
    BusType("01", "住院 inpatient", 0.08, KIND_INPATIENT, (4, 10), 12.0, inpatient=True),
    BusType("07", "住院预交金 inpatient prepayment", 0.05, KIND_INPATIENT, (1, 1), 20.0, inpatient=True),
)


# Issuing points (开票点) and which business types they serve.
@dataclass(frozen=True)
class Point:
    code: str
    name: str
    bus_types: tuple[str, ...]
    host: str


POINTS: tuple[Point, ...] = (
    Point("MZ01", "门诊一楼收费处 outpatient cashier 1F", ("02", "06", "04", "12"), "his-mz-01"),
    Point("MZ02", "门诊二楼收费处 outpatient cashier 2F", ("02", "06", "04"), "his-mz-02"),
    Point("MZ03", "自助机 self-service kiosks", ("02", "06", "12"), "kiosk-gw-01"),
    Point("JZ01", "急诊收费处 emergency cashier", ("03",), "his-jz-01"),
    Point("TJ01", "体检中心 physical exam centre", ("05",), "his-tj-01"),
    Point("ZY01", "住院处 admissions and discharge", ("01", "07"), "his-zy-01"),
    Point("ZY02", "住院结算二 discharge desk 2", ("01", "07"), "his-zy-02"),
    Point("WX01", "微信公众号 WeChat mini-program", ("02", "06", "12"), "wx-gw-01"),
)

# Charge items: (code, national item name, unit, price range in yuan, inpatient only)
ITEMS: tuple[tuple[str, str, str, float, float, bool], ...] = (
    ("A001", "诊察费", "次", 10.0, 50.0, False),
    ("A002", "挂号费", "次", 1.0, 15.0, False),
    ("A003", "一般诊疗费", "次", 5.0, 12.0, False),
    ("B001", "检查费", "项", 20.0, 480.0, False),
    ("B002", "化验费", "项", 8.0, 160.0, False),
    ("C001", "治疗费", "次", 10.0, 300.0, False),
    ("C002", "手术费", "次", 200.0, 3800.0, False),
    ("D001", "卫生材料费", "件", 2.0, 420.0, False),
    ("E001", "西药费", "盒", 3.5, 260.0, False),
    ("E002", "中成药费", "盒", 8.0, 180.0, False),
    ("E003", "中药饮片", "剂", 6.0, 90.0, False),
    ("F001", "床位费", "天", 30.0, 120.0, True),
    ("F002", "护理费", "天", 20.0, 90.0, True),
)

# Payment channels. Cash-like channels pay the personal cash part; insurance parts are channels
# too so that the channel sum balances the total (sites map their own codes).
CASH_CHANNELS = (
    ("01", "POS", 0.18),
    ("02", "现金 cash", 0.07),
    ("03", "转账 transfer", 0.02),
    ("04", "支付宝 Alipay", 0.25),
    ("05", "微信 WeChat", 0.47),
    ("06", "支票 cheque", 0.01),
)
CHANNEL_FUND = "11"  # 医保统筹 insurance fund
CHANNEL_ACCOUNT = "12"  # 医保个人账户 personal account
CHANNEL_OTHER_FUND = "13"  # 其他医保 other insurance
ALL_CHANNELS = {code: name for code, name, _ in CASH_CHANNELS} | {
    CHANNEL_FUND: "医保统筹 insurance fund",
    CHANNEL_ACCOUNT: "医保个人账户 personal account",
    CHANNEL_OTHER_FUND: "其他医保 other insurance",
}

DELIVERY_CHANNELS = (("wechat", 0.6), ("sms", 0.25), ("alipay", 0.1), ("email", 0.05))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国文辉鹏宇浩欣怡子涵梓轩雨晴俊"
CASHIERS = ("收费员01", "收费员02", "收费员03", "收费员04", "自助机", "微信渠道")

# Interfaces in the platform's call log and their normal latency (median ms, sigma of the log).
INTERFACES = {
    "his_issue": (260.0, 0.45),
    "signature": (55.0, 0.35),
    "finance_upload": (320.0, 0.5),
    "delivery": (140.0, 0.55),
}

# Hour-of-day weights of payments (outpatient peaks in the morning and early afternoon).
HOUR_WEIGHTS = (
    0.2,
    0.15,
    0.1,
    0.1,
    0.1,
    0.2,
    0.6,
    2.5,
    6.5,
    8.0,
    7.5,
    6.0,
    3.0,
    3.5,
    5.5,
    6.0,
    5.0,
    3.0,
    1.6,
    1.2,
    1.0,
    0.8,
    0.5,
    0.3,
)

# Weak passwords the generator gives some application users (the security audit must find them).
WEAK_PASSWORDS = ("123456", "admin123", "cashier19123")  # what static.app_users gives weak users
