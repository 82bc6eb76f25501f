"""The store's three items, published with their approved fees.

    python -m catalog.seed

Idempotent: an item whose code already exists is left exactly as it is (staff
may have changed it since), so running the seed twice changes nothing.

The office names follow the real Qingdao traffic police's naming, but the
addresses and hours are illustrative: plausible, not claimed to be real. The
approval reference is written in the Shandong price bureau's style
(鲁价费发〔year〕n号); replace it with the office's real document number
before going live.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from catalog import services
from catalog.schemas import FeeIn, ItemCreateIn
from catalog.settings import SERVICE
from common.db import UnitOfWork, make_engine, unit_of_work_factory
from common.logging import configure_logging
from common.settings import Env

log = logging.getLogger("catalog.seed")

SEED_ACTOR = "seed"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The fees below were in force before the store opened; the seed records them
# from that date rather than from the day it happens to run.
FEES_SINCE = datetime(2017, 7, 1, tzinfo=SHANGHAI)
APPROVAL = "鲁价费发〔2017〕58号"


def _t(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


# --- delivery ------------------------------------------------------------------

_HOURS = _t(
    "周一至周五 9:00–12:00，13:30–17:00（法定节假日除外）",
    "Monday to Friday 9:00–12:00 and 13:30–17:00 (closed on public holidays)",
)

COURIER = {
    "code": "courier-ems",
    "kind": "courier",
    "title": _t("EMS 寄递到家", "EMS courier to your address"),
    "carrier": "EMS",
}


def _pickup(code: str, name: tuple[str, str], address: tuple[str, str]) -> dict[str, Any]:
    return {
        "code": code,
        "kind": "pickup",
        "title": _t(f"到{name[0]}自取", f"Pick up at {name[1]}"),
        "office": {"name": _t(*name), "address": _t(*address), "hours": _HOURS},
    }


PICKUP_OFFICES = [
    _pickup(
        "pickup-shinan",
        ("青岛市公安局交通警察支队车辆管理所（市南业务大厅）",
         "Qingdao Traffic Police Vehicle Administration Office, Shinan hall"),
        ("山东省青岛市市南区宁夏路 218 号", "218 Ningxia Road, Shinan District, Qingdao, Shandong"),
    ),
    _pickup(
        "pickup-huangdao",
        ("青岛市公安局交通警察支队车辆管理所黄岛分所",
         "Qingdao Vehicle Administration Office, Huangdao branch"),
        ("山东省青岛市黄岛区嘉陵江东路 88 号", "88 Jialingjiang East Road, Huangdao District, Qingdao, Shandong"),
    ),
    _pickup(
        "pickup-chengyang",
        ("青岛市公安局交通警察支队车辆管理所城阳分所",
         "Qingdao Vehicle Administration Office, Chengyang branch"),
        ("山东省青岛市城阳区正阳中路 200 号", "200 Zhengyang Middle Road, Chengyang District, Qingdao, Shandong"),
    ),
]  # fmt: skip
DELIVERY = [COURIER, *PICKUP_OFFICES]

# --- documents -----------------------------------------------------------------


def _doc(code: str, title: tuple[str, str], guidance: tuple[str, str]) -> dict[str, Any]:
    return {"code": code, "title": _t(*title), "guidance": _t(*guidance)}


ID_FRONT = _doc(
    "id_card_front",
    ("居民身份证人像面", "ID card, photo side"),
    ("拍摄身份证原件人像面，四角完整、字迹清晰、无反光。",
     "Photograph the original card's photo side: all four corners in view, text sharp, no glare."),
)  # fmt: skip
ID_BACK = _doc(
    "id_card_back",
    ("居民身份证国徽面", "ID card, national emblem side"),
    ("拍摄身份证原件国徽面，有效期限须清晰可见。",
     "Photograph the emblem side of the original card; the validity dates must be readable."),
)  # fmt: skip
SELFIE = _doc(
    "selfie_with_id_card",
    ("本人手持身份证照片", "Selfie holding your ID card"),
    ("本人正面免冠，手持身份证人像面置于胸前，面部和证件信息均清晰可辨。",
     "Face the camera bareheaded, holding the photo side of your ID card at chest height; "
     "your face and the card must both be readable."),
)  # fmt: skip
PORTRAIT = _doc(
    "portrait_photo",
    ("近期一寸白底证件照", "Recent passport-style photo"),
    ("六个月内拍摄的白色背景正面免冠彩色照片，不得佩戴眼镜、帽子，用于制作新驾驶证。",
     "Colour photo taken within six months on a white background, bareheaded, without glasses; "
     "it is printed on the new licence."),
)  # fmt: skip
VEHICLE = _doc(
    "vehicle_photo",
    ("车辆照片", "Photo of the vehicle"),
    ("从车辆左前方 45 度拍摄，能看清车身颜色和车型；号牌缺失处需可见。",
     "Taken from the front left at 45 degrees showing the body colour and model, "
     "including where the plate is missing."),
)  # fmt: skip
VEHICLE_LICENCE = _doc(
    "vehicle_licence_photo",
    ("机动车行驶证", "Vehicle licence (registration certificate)"),
    ("拍摄行驶证正页和副页，号牌号码、车辆识别代号须清晰。",
     "Photograph the main and secondary pages; the plate number and VIN must be readable."),
)  # fmt: skip
INSURANCE = _doc(
    "insurance_certificate_photo",
    ("交强险保单（含车船税）", "Compulsory insurance policy (with vehicle tax)"),
    ("拍摄在有效期内的交强险保单，车船税完税信息须可见。",
     "Photograph the current compulsory traffic insurance policy showing that the vehicle tax is paid."),
)  # fmt: skip

# --- form fields -----------------------------------------------------------------


# Questions about the car (its plate, VIN, registration, insurance) are asked on
# the "vehicle" page; the applicant's own details on the "details" page.
VEHICLE_PREFIXES = ("plate_", "vin", "vehicle_", "registration_", "insurance_")


def _section(name: str, kind: str) -> str:
    vehicle = kind == "plate_number" or name.startswith(VEHICLE_PREFIXES)
    return "vehicle" if vehicle else "details"


def _field(name: str, kind: str, label: tuple[str, str], hint: tuple[str, str] | None = None,
           **rules: Any) -> dict[str, Any]:  # fmt: skip
    return {"name": name, "type": kind, "label": _t(*label),
            "hint": _t(*hint) if hint else None, "section": _section(name, kind), **rules}  # fmt: skip


def _choice(value: str, zh: str, en: str) -> dict[str, Any]:
    return {"value": value, "label": _t(zh, en)}


NAME = _field("full_name", "text", ("姓名", "Full name"),
              ("与身份证上的姓名一致", "As printed on your ID card"), max_length=30)  # fmt: skip
OWNER = _field("owner_name", "text", ("机动车所有人", "Registered owner"),
               ("与行驶证上的所有人一致", "As on the vehicle licence"), max_length=60)  # fmt: skip
ID_NUMBER = _field("id_number", "id_number", ("公民身份号码", "Resident ID number"),
                   ("18 位，末位可能为 X", "18 characters; the last may be X"))  # fmt: skip
PHONE = _field("phone", "phone", ("手机号码", "Mobile number"),
               ("用于接收审核结果和快递通知", "For review results and delivery notices"))  # fmt: skip
PLATE = _field("plate_number", "plate_number", ("号牌号码", "Plate number"),
               ("如 鲁B12345；新能源车如 鲁BD12345", "e.g. 鲁B12345, or 鲁BD12345 for new-energy vehicles"))  # fmt: skip
VIN_LAST6 = _field("vin_last6", "text", ("车辆识别代号后六位", "Last six characters of the VIN"),
                   ("见行驶证或前挡风玻璃左下角", "On the vehicle licence or the lower left of the windscreen"),
                   max_length=6, pattern="vin_last6")  # fmt: skip
REASON = _field("reason", "choice", ("补领原因", "Reason"), None, choices=[
    _choice("lost", "遗失", "Lost"),
    _choice("stolen", "被盗", "Stolen"),
    _choice("damaged", "损毁无法辨认", "Damaged beyond recognition"),
])  # fmt: skip

# --- the items -------------------------------------------------------------------

DRIVING_LICENCE = {
    "code": "driving-licence-replacement",
    "title": _t("补领机动车驾驶证", "Replace a lost driving licence"),
    "description": _t(
        "机动车驾驶证遗失、被盗或损毁的，可在线申请补领。上传身份证、手持身份证照片和近期证件照，"
        "审核通过后制作新证，EMS 寄递到家或到车管所自取。补领期间原驾驶证作废。",
        "If your driving licence is lost, stolen or damaged, apply for a replacement online. "
        "Upload your ID card, a selfie holding it and a recent photo; once approved the new "
        "licence is made and sent by EMS or kept for pickup at a vehicle administration office. "
        "The old licence becomes void.",
    ),
    "sla_working_days": 3,
    "required_documents": [ID_FRONT, ID_BACK, SELFIE, PORTRAIT],
    "form_fields": [
        NAME, ID_NUMBER, PHONE,
        _field("licence_class", "choice", ("准驾车型", "Licence class"), None, choices=[
            _choice("c1", "C1 小型汽车", "C1 car"),
            _choice("c2", "C2 小型自动挡汽车", "C2 automatic car"),
            _choice("b2", "B2 大型货车", "B2 heavy truck"),
            _choice("a1", "A1 大型客车", "A1 large bus"),
            _choice("d", "D 普通三轮摩托车", "D three-wheeled motorcycle"),
            _choice("e", "E 普通二轮摩托车", "E two-wheeled motorcycle"),
        ]),
        REASON,
        _field("file_number", "text", ("驾驶证档案编号", "Licence file number"),
               ("驾驶证副页上的 12 位数字；不知道可不填", "12 digits on the licence's second page; leave empty if unknown"),
               required=False, max_length=12, pattern="licence_file_number"),
    ],
    "delivery_options": DELIVERY,
}  # fmt: skip

PLATES = {
    "code": "licence-plate-replacement",
    "title": _t("补领机动车号牌", "Replace licence plates"),
    "description": _t(
        "机动车号牌遗失、被盗或损毁的，可在线申请补领。号牌按副（前后两面）制作和收费，"
        "原号码不变。审核通过后制作号牌，EMS 寄递或到车管所自取，收到后请按规定安装。",
        "If your plates are lost, stolen or damaged, apply for new ones online. Plates are made "
        "and charged as a pair (front and rear) with the same number. Once approved they are "
        "made and sent by EMS or kept for pickup; fit them as the rules require.",
    ),
    "sla_working_days": 5,
    "required_documents": [ID_FRONT, ID_BACK, SELFIE, VEHICLE_LICENCE, VEHICLE],
    "form_fields": [
        OWNER, ID_NUMBER, PHONE, PLATE, VIN_LAST6,
        _field("plate_kind", "choice", ("号牌种类", "Plate type"), None, choices=[
            _choice("small_car", "小型汽车号牌（蓝牌）", "Small car (blue)"),
            _choice("small_new_energy", "小型新能源汽车号牌（绿牌）", "Small new-energy car (green)"),
            _choice("large_car", "大型汽车号牌（黄牌）", "Large vehicle (yellow)"),
        ]),
        REASON,
    ],
    "delivery_options": DELIVERY,
}  # fmt: skip

ANNUAL = {
    "code": "annual-licence-verification",
    "title": _t("免检车辆申领检验合格标志（年审）", "Annual licence verification (inspection-exempt cars)"),
    "description": _t(
        "6 年以内的非营运小型汽车免予上线检验，每年凭交强险和车船税凭证在线申领检验合格标志。"
        "车辆须无未处理的交通违法和事故记录。审核通过后标志寄递到家或到车管所自取。",
        "Private cars under six years old are exempt from the test lane: each year, apply online "
        "for the inspection mark with the compulsory insurance and vehicle tax proof. The car "
        "must have no unresolved traffic offences or accidents. The mark is sent by EMS or kept "
        "for pickup.",
    ),
    "sla_working_days": 2,
    "required_documents": [ID_FRONT, ID_BACK, SELFIE, VEHICLE_LICENCE, INSURANCE],
    "form_fields": [
        OWNER, ID_NUMBER, PHONE, PLATE, VIN_LAST6,
        _field("registration_date", "date", ("初次登记日期", "First registration date"),
               ("见行驶证“注册日期”", "The registration date on the vehicle licence")),
        _field("insurance_valid_until", "date", ("交强险有效期至", "Compulsory insurance valid until"),
               ("须覆盖检验有效期", "Must cover the inspection period")),
    ],
    "delivery_options": DELIVERY,
}  # fmt: skip

# Fees in fen. Driving licence: 10 yuan production cost per card; plates: 100
# yuan per pair of car plates. The inspection mark costs nothing: since the
# 2014 inspection reform the mark is issued free of charge, so the applicant
# pays only for the courier (nothing when picking it up). EMS: plates are a
# bulky metal parcel, hence the higher courier fee.
SEED_ITEMS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (DRIVING_LICENCE, {"production_cost_fen": 1000, "courier_fee_fen": 1500}),
    (PLATES, {"production_cost_fen": 10000, "courier_fee_fen": 2000}),
    (ANNUAL, {"production_cost_fen": 0, "courier_fee_fen": 1500}),
]


def seed(uow: UnitOfWork) -> list[str]:
    """Create and publish the missing seed items in one transaction; their codes."""
    created: list[str] = []
    with uow:
        for spec, amounts in SEED_ITEMS:
            if services.find_item(uow, spec["code"]) is not None:
                continue
            # Through the API's own input rules: the seed cannot hold what staff could not enter.
            data = ItemCreateIn().load(spec)
            services.refuse_bad_definitions(data)
            fee = FeeIn().load({**amounts, "approval_reference": APPROVAL})
            item = services.new_item(uow, data)
            services.add_fee_version(
                uow, item, {**fee, "effective_from": FEES_SINCE}, actor=SEED_ACTOR, allow_past=True
            )
            uow.session.flush()
            services.mark_published(uow, item, actor=SEED_ACTOR)
            created.append(spec["code"])
        uow.commit()
    return created


def run(database_url: str | None = None) -> list[str]:
    """Seed CATALOG_DATABASE_URL (the one-process launcher calls this); no demo logins."""
    engine = make_engine(database_url or Env().str("CATALOG_DATABASE_URL"))
    try:
        created = seed(unit_of_work_factory(engine, SERVICE)())
    finally:
        engine.dispose()
    log.info("catalog seeded", extra={"seeded": created})
    return []


def main() -> None:
    configure_logging(SERVICE, Env().str("LOG_FORMAT", "json"))
    run()


if __name__ == "__main__":
    main()
