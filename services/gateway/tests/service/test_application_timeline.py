"""The applicant's order page and the API's timeline: orders gives each step as
a code and its parameters, the gateway says it in the page's language (money
in yuan, Beijing time, documents and reasons by their names); the delivery
choice and the expected completion day; and, right after new photos are sent,
never the old state with its upload link again.

Orders and verification are a fake here (their JSON, as their docs/api.md
gives it), served over HTTP; the journey through the real services is in
tests/integration."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from html import unescape
from typing import Any

import pytest
from flask import Flask, jsonify, request
from flask.testing import FlaskClient

from common.testing_http import serve_in_thread
from gateway import services as accounts
from gateway.app import create_app
from gateway.pages import applications

from .conftest import PASSWORD, gateway_settings, unique_email

ORDER_ID = str(uuid.uuid4())
REFERENCE = "LT20260302000001"
WAYBILL = "EA000000014CN"
DOCUMENTS = [
    {"code": "selfie_with_id_card", "title": {"zh": "手持身份证照片", "en": "Selfie holding your ID card"}},
    {"code": "portrait_photo", "title": {"zh": "证件照", "en": "Portrait photo"}},
]  # fmt: skip
ADDRESS = {
    "recipient": "李娜", "phone": "13800138000", "province": "山东省", "city": "青岛市",
    "district": "市南区", "street": "香港中路 10 号",
}  # fmt: skip


def entry(at: str, to: str, code: str, kind: str = "system", **params: Any) -> dict[str, Any]:
    actor = "courier" if kind == "provider" and code != "paid_authorised" else "x"
    return {"at": at, "from_status": None, "to_status": to, "actor": actor, "actor_kind": kind,
            "code": code, "params": params}  # fmt: skip


TIMELINE = [
    entry("2026-03-02T01:00:00+00:00", "draft", "started", "applicant"),
    entry("2026-03-02T01:05:00+00:00", "awaiting_payment", "submitted", "applicant",
          total_fen=2500, fee_version=1),
    entry("2026-03-02T01:06:00+00:00", "submitted", "paid_authorised", "provider",
          amount_fen=2500),
    entry("2026-03-02T02:00:00+00:00", "in_review", "review_started", "staff"),
    entry("2026-03-02T03:00:00+00:00", "needs_resubmission", "resubmission_requested", "staff",
          round=1, deadline="2026-03-09T03:00:00+00:00", documents=[
              {"code": "selfie_with_id_card", "reason_code": "face-not-visible", "note": None},
              {"code": "portrait_photo", "reason_code": "glare", "note": "背景反光"}]),
    entry("2026-03-03T01:00:00+00:00", "in_review", "resubmitted", "applicant", round=1),
    entry("2026-03-03T02:00:00+00:00", "approved", "approved", "staff", captured_fen=2500),
    entry("2026-03-04T02:00:00+00:00", "shipped", "shipped", "staff", carrier="EMS",
          waybill=WAYBILL),
    entry("2026-03-04T05:00:00+00:00", "shipped", "shipment_status", "provider", carrier="EMS",
          waybill=WAYBILL, state="in_transit", city="青岛"),
    entry("2026-03-05T05:00:00+00:00", "shipped", "delivery_attempt_failed", "provider",
          attempt=1, reason="no_answer",
          what_to_do={"zh": "请保持电话畅通。", "en": "Keep your phone on."}),
    entry("2026-03-05T06:00:00+00:00", "shipped", "legacy", text="An old English sentence."),
]  # fmt: skip


class FakeServices:
    """Orders and verification as the gateway reads them: the order (whose status a
    test sets, or moves after some reads) and its timeline; a resubmission accepted."""

    def __init__(self) -> None:
        self.status = "in_review"
        self.then: tuple[int, str] | None = None  # after n more reads, this status
        self.timeline = TIMELINE

    def order(self) -> dict[str, Any]:
        if self.then is not None:
            reads, status = self.then
            self.then = (reads - 1, status) if reads > 0 else None
            if reads == 0:
                self.status = status
        return {
            "id": ORDER_ID, "reference": REFERENCE, "item_code": "driving-licence-replacement",
            "item_title": {"zh": "驾驶证补领", "en": "Replace a lost driving licence"},
            "applicant_id": "acct", "status": self.status, "answers": {}, "missing_answers": [],
            "delivery": {"kind": "courier", "address": ADDRESS}, "required_documents": DOCUMENTS,
            "documents": {"complete": True, "missing": []},
            "price": {"fee_version": 1, "production_fen": 1000, "delivery_fen": 1500,
                      "total_fen": 2500, "approval_reference": "鲁价费〔2026〕1号", "locked": True},
            "payment": None, "allowed_actions": ["cancel"] if self.status == "submitted" else [],
            "created_at": "2026-03-02T01:00:00+00:00",
            "updated_at": "2026-03-02T01:00:00+00:00", "submitted_at": "2026-03-02T01:05:00+00:00",
            "pay_by": None, "expected_completion": "2026-03-05",
        }  # fmt: skip

    def app(self) -> Flask:
        fake = Flask("fake-orders-and-verification")

        @fake.get("/orders/<order_id>")
        def order(order_id: str) -> Any:
            return jsonify(self.order())

        @fake.get("/orders/<order_id>/timeline")
        def timeline(order_id: str) -> Any:
            return jsonify({"entries": self.timeline})

        @fake.post("/orders/<order_id>/cancel")
        def cancel(order_id: str) -> Any:
            self.status = "cancelled"
            return jsonify(self.order())

        @fake.get("/review/rules")
        def rules() -> Any:
            return jsonify({"document_reasons": [], "rejection_reasons": [], "check_results": [],
                            "decisions": [], "limits": {"chat_message_max": 1000}})  # fmt: skip

        @fake.post("/cases/<order_id>/resubmit")
        def resubmit(order_id: str) -> Any:
            return jsonify({"order_id": order_id, "reference": REFERENCE, "status": "in_review",
                            "complete": True, "round": 1, "documents": []})  # fmt: skip

        @fake.errorhandler(404)
        def missing(_error: Any) -> Any:
            body = {"type": "/problems/not-found", "title": "Not found", "status": 404,
                    "detail": f"Nothing at {request.path}."}  # fmt: skip
            return jsonify(body), 404

        return fake


@pytest.fixture
def services() -> Iterator[tuple[FakeServices, str]]:
    fake = FakeServices()
    url, stop = serve_in_thread(fake.app())
    try:
        yield fake, url
    finally:
        stop()


@pytest.fixture
def page_app(
    clean_database: Any, gateway_database_url: str, catalog_url: str, nowhere: str, services: Any
) -> Iterator[Flask]:
    _fake, url = services
    settings = gateway_settings(
        gateway_database_url, catalog_url, url, url, FULFILLMENT_URL=nowhere, RATINGS_URL=nowhere,
        NOTIFICATIONS_URL=nowhere, SERVICE_READ_RETRIES="1",
    )  # fmt: skip
    app = create_app(settings)
    yield app
    app.extensions["gateway.engine"].dispose()


@pytest.fixture
def applicant_client(page_app: Flask, submit: Callable[..., Any]) -> FlaskClient:
    gw = page_app.extensions["gateway"]
    identifier = unique_email("applicant")
    accounts.register_applicant(gw.uow(), gw.hasher, identifier=identifier, password=PASSWORD)
    client = page_app.test_client()
    signed_in = submit(client, "/sign-in", {"identifier": identifier, "password": PASSWORD})
    assert signed_in.status_code == 303
    return client


def timeline_text(html: str) -> str:
    found = re.search(r'<ol class="timeline".*?</ol>', html, flags=re.DOTALL)
    assert found, "the page has no timeline"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


# Names and references a Chinese page may show in Latin letters: the waybill, the carrier.
ALLOWED_LATIN = (WAYBILL, "EMS", REFERENCE, "An old English sentence.")


def test_the_chinese_timeline_speaks_chinese_money_in_yuan_times_in_beijing(applicant_client):
    html = applicant_client.get(f"/applications/{ORDER_ID}").get_data(as_text=True)
    said = timeline_text(html)
    assert "提交申请，费用锁定为¥25.00（收费标准第1版）" in said
    assert "已支付¥25.00" in said
    # 03:00 UTC is 11:00 in Beijing; documents and reasons by their Chinese names.
    assert "请在北京时间2026-03-09 11:00前重新上传：手持身份证照片（看不清面部）；证件照（" in said
    assert "：背景反光）" in said  # the reviewer's note, as written
    assert "审核通过，已扣款¥25.00" in said
    assert f"已交中国邮政 EMS寄出，运单号{WAYBILL}" in said
    assert "在途" in said and "（青岛）" in said
    assert "第1次派送未成功" in said and "请保持电话畅通。" in said
    assert "2026-03-02 09:00" in said  # the first step, 01:00 UTC, in Beijing time
    assert "2026-03-04 13:00 · 快递公司" in said and "2026-03-02 09:06 · 支付服务" in said
    rest = said
    for allowed in ALLOWED_LATIN:
        rest = rest.replace(allowed, "")
    assert re.findall(r"[A-Za-z]+", rest) == []
    assert "UTC" not in said and "fen" not in said
    # the old sentence orders wrote before entries were data: shown as it is, marked English
    assert '<span lang="en">An old English sentence.</span>' in html


def test_the_english_timeline_speaks_english(applicant_client):
    applicant_client.get("/language?lang=en&next=/")
    html = applicant_client.get(f"/applications/{ORDER_ID}").get_data(as_text=True)
    said = timeline_text(html)
    assert "Submitted; the fee is locked at ¥25.00 (fee schedule version 1)" in said
    assert "by 2026-03-09 11:00 Beijing time: Selfie holding your ID card (" in said
    assert "Portrait photo (" in said
    assert f"Handed to China Post EMS, waybill {WAYBILL}" in said
    assert "Keep your phone on." in said
    assert re.findall(r"[\u4e00-\u9fff]", said.replace("背景反光", "").replace("青岛", "")) == []


def test_the_page_shows_the_delivery_address_and_the_expected_completion_day(applicant_client):
    html = applicant_client.get(f"/applications/{ORDER_ID}").get_data(as_text=True)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "预计办结日期 2026-03-05" in text
    assert "快递寄送" in text and "山东省青岛市市南区香港中路 10 号" in text


def test_a_rating_invitation_links_to_the_rating_page(applicant_client, services):
    fake, _url = services
    fake.status = "completed"
    fake.timeline = [*TIMELINE, entry("2026-03-10T02:00:00+00:00", "completed", "rating_invited",
                                      rate_by="2026-03-24T02:00:00+00:00")]  # fmt: skip
    html = applicant_client.get(f"/applications/{ORDER_ID}").get_data(as_text=True)
    assert "欢迎在2026-03-24前评价本次服务" in timeline_text(html)
    assert f'href="/applications/{ORDER_ID}/rating"' in html


def test_the_api_gives_each_step_as_code_params_and_words_in_the_language_asked(page_app):
    gw, client = page_app.extensions["gateway"], page_app.test_client()
    identifier = unique_email("api")
    accounts.register_applicant(gw.uow(), gw.hasher, identifier=identifier, password=PASSWORD)
    token = client.post("/api/v1/sessions", json={"identifier": identifier, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    path = f"/api/v1/applications/{ORDER_ID}/timeline"
    english = client.get(path, headers=headers).get_json()["entries"]
    chinese = client.get(path, headers={**headers, "Accept-Language": "zh-CN"}).get_json()
    submitted = english[1]
    assert (submitted["code"], submitted["params"]) == (
        "submitted", {"total_fen": 2500, "fee_version": 1},
    )  # fmt: skip
    assert submitted["text"] == "Submitted; the fee is locked at ¥25.00 (fee schedule version 1)"
    assert chinese["entries"][1]["text"] == "提交申请，费用锁定为¥25.00（收费标准第1版）"


# --- read your own write --------------------------------------------------------------------


def test_after_new_photos_the_page_shows_the_review_not_the_upload_link_again(
    applicant_client, services, submit
):
    fake, _url = services
    fake.status = "needs_resubmission"
    fake.then = (3, "in_review")  # orders hears of it a few reads later
    answer = submit(applicant_client, f"/applications/{ORDER_ID}",
                    {}, action=f"/applications/{ORDER_ID}/new-photos")  # fmt: skip
    assert answer.status_code == 303
    assert "pending=" not in answer.headers["Location"]
    html = applicant_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "/new-photos" not in html
    assert "审核中" in html


def test_when_orders_has_not_heard_yet_the_page_says_it_is_being_processed(
    applicant_client, services, submit, monkeypatch
):
    monkeypatch.setattr(applications, "READ_YOUR_WRITE_SECONDS", 0.3)
    fake, _url = services
    fake.status = "needs_resubmission"  # and it stays so: verification's event is late
    answer = submit(applicant_client, f"/applications/{ORDER_ID}",
                    {}, action=f"/applications/{ORDER_ID}/new-photos")  # fmt: skip
    assert "pending=in_review" in answer.headers["Location"]
    html = applicant_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "/new-photos" not in html  # no upload link for what was just sent
    assert "正在处理，申请状态即将更新为：审核中" in html
    # once orders has it, the same address shows the state itself, no longer "processing"
    fake.status = "in_review"
    html = applicant_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "正在处理" not in html


def test_after_cancelling_the_page_shows_the_application_cancelled(
    applicant_client, services, submit
):
    fake, _url = services
    fake.status = "submitted"
    answer = submit(applicant_client, f"/applications/{ORDER_ID}/cancel", {"reason": "不需要了"})
    assert answer.status_code == 303
    html = applicant_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "已取消" in html
    assert f"/applications/{ORDER_ID}/cancel" not in html  # no cancel offered again
