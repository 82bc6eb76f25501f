"""A supervisor creates a new service item in the console against the real
catalog: every part typed in the form, previewed as an applicant will see it,
published; a bad row is refused naming its input; an applicant's draft of an
item later withdrawn says why and offers to cancel, instead of a 404."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from .conftest import PASSWORD

Submit = Callable[..., Any]
_serial = itertools.count(1)


def certificate_form(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "title_zh": "补领机动车行驶证",
        "title_en": "Replace a lost vehicle registration certificate",
        "description_zh": "行驶证遗失、被盗或损毁的，可在线申请补领。",
        "description_en": "Apply online for a new vehicle licence if yours is lost, stolen or damaged.",
        "sla_working_days": "2",
        "document-0-code": "vehicle_front_photo",
        "document-0-title_zh": "车辆左前方 45 度照片",
        "document-0-title_en": "The car from its front left, at 45°",
        "document-0-guidance_zh": "车身和号牌完整清晰。",
        "document-0-guidance_en": "The whole car and its plate, sharp.",
        "question-0-name": "vin",
        "question-0-type": "text",
        "question-0-pattern": "vin",
        "question-0-section": "vehicle",
        "question-0-required": "yes",
        "question-0-label_zh": "车辆识别代号",
        "question-0-label_en": "Vehicle identification number",
        "question-0-hint_zh": "17 位，见行驶证或车辆铭牌。",
        "question-0-hint_en": "17 characters, on the old licence or the car's plate.",
        "question-1-name": "reason",
        "question-1-type": "choice",
        "question-1-section": "details",
        "question-1-required": "yes",
        "question-1-label_zh": "补领原因",
        "question-1-label_en": "Reason",
        "question-1-choices": "lost = 遗失 / Lost\nstolen = 被盗 / Stolen",
        "courier": "yes",
        "office": "pickup-shinan",
        "production_yuan": "10",
        "delivery_yuan": "15",
        "approval_ref": "鲁价费发〔2017〕58号",
    }


def _supervisor(client: FlaskClient, make_staff, sign_in_page) -> None:  # type: ignore[no-untyped-def]
    assert sign_in_page(client, make_staff("supervisor").label, staff=True).status_code == 303


def test_a_supervisor_creates_previews_and_publishes_a_new_item(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    code = f"vehicle-licence-replacement-{next(_serial)}"
    _supervisor(client, make_staff, sign_in_page)
    created = submit(client, "/staff/items/new", certificate_form(code))
    assert created.status_code == 303, created.get_data(as_text=True)
    assert created.headers["Location"].endswith(f"/staff/items/{code}/preview")
    assert code not in [item["code"] for item in client.get("/api/v1/items").get_json()]

    preview = client.get(f"/staff/items/{code}/preview").get_data(as_text=True)
    for words in ("补领机动车行驶证", "车身和号牌完整清晰。", "17 位，见行驶证或车辆铭牌。", "被盗", "鲁价费发〔2017〕58号", "¥10.00"):  # fmt: skip
        assert words in preview
    published = submit(
        client, f"/staff/items/{code}/preview", {}, action=f"/staff/items/{code}/publish"
    )
    assert published.status_code == 303
    item = client.get(f"/api/v1/items/{code}").get_json()
    assert item["sla_days"] == 2
    assert [doc["code"] for doc in item["required_documents"]] == ["vehicle_front_photo"]
    assert "市南" in preview  # the pickup office ticked


def test_a_bad_row_is_refused_naming_its_input_and_nothing_is_created(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    code = f"vehicle-licence-replacement-{next(_serial)}"
    form = {
        **certificate_form(code),
        "question-1-choices": "lost: 遗失",
        "question-0-pattern": "vin",
    }
    form["question-0-type"] = "date"
    del form["courier"], form["office"]
    _supervisor(client, make_staff, sign_in_page)
    client.set_cookie("lang", "en")
    refused = submit(client, "/staff/items/new", form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert '<a href="#question-1-choices">Write each line as: code = Chinese / English.</a>' in html
    assert '<a href="#question-0-pattern">Only a text answer can have a format.</a>' in html
    assert '<a href="#courier">Choose at least one way to deliver.</a>' in html
    assert 'value="补领机动车行驶证"' in html  # what was typed stays
    assert client.get(f"/staff/items/{code}/preview").status_code == 404


def test_a_draft_of_a_withdrawn_item_says_why_and_can_be_cancelled(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff, make_applicant
) -> None:
    code = f"vehicle-licence-replacement-{next(_serial)}"
    _supervisor(client, make_staff, sign_in_page)
    submit(client, "/staff/items/new", certificate_form(code))
    submit(client, f"/staff/items/{code}/preview", {}, action=f"/staff/items/{code}/publish")

    applicant = FlaskClient(client.application, use_cookies=True)
    assert sign_in_page(applicant, make_applicant().label, PASSWORD).status_code == 303
    started = submit(applicant, f"/items/{code}", {}, action=f"/items/{code}/start")
    order_path = started.headers["Location"].removesuffix("/tasks")

    staff = FlaskClient(client.application, use_cookies=True)
    _supervisor(staff, make_staff, sign_in_page)
    withdraw = f"/staff/items/{code}/withdraw"
    answer = submit(staff, withdraw, {"confirmed": "yes", "reason": "改为窗口办理"})
    assert answer.status_code == 303

    tasks = applicant.get(f"{order_path}/tasks")
    html = tasks.get_data(as_text=True)
    assert tasks.status_code == 200
    assert "已停止网上办理" in html
    assert "下架原因：改为窗口办理" in html
    assert f'href="{order_path}/cancel"' in html
