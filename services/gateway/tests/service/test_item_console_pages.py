"""The console's new-item page: a supervisor sees every part of an item to type
(documents, questions with the fixed list of formats, the store's offices, the
first fee), a refusal names each input in the page's language, and nobody but
a supervisor reaches it. Creating, previewing and publishing against the real
catalog are in tests/integration/gateway/test_gateway_new_item.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Submit = Callable[..., Any]


def _supervisor(client: FlaskClient, make_staff, sign_in_page) -> None:  # type: ignore[no-untyped-def]
    assert sign_in_page(client, make_staff("supervisor").label, staff=True).status_code == 303


def test_the_new_item_page_offers_every_part_with_named_formats_and_known_offices(
    client: FlaskClient, sign_in_page: Submit, make_staff
) -> None:
    _supervisor(client, make_staff, sign_in_page)
    html = client.get("/staff/items/new").get_data(as_text=True)
    for name in ("title_en", "description_zh", "sla_working_days", "document-3-guidance_en",
                 "question-5-choices", "production_yuan", "approval_ref"):  # fmt: skip
        assert f'id="{name}"' in html
    assert '<option value="vin">车辆识别代号（17 位）</option>' in html
    assert 'value="pickup-shinan"' in html
    assert "新建服务事项" in client.get("/staff/items").get_data(as_text=True)


def test_an_empty_form_is_refused_naming_each_input_in_english(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    _supervisor(client, make_staff, sign_in_page)
    client.set_cookie("lang", "en")
    response = submit(client, "/staff/items/new", {"courier": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<a href="#title_zh">Fill this in.</a>' in html
    assert '<a href="#sla_working_days">Enter a whole number from 1 to 365.</a>' in html
    assert '<a href="#document-0-code">Add at least one document.</a>' in html
    assert '<a href="#courier">Choose at least one way to deliver.</a>' in html
    assert 'href="#approval_ref"' in html


def test_only_a_supervisor_reaches_the_new_item_page(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    assert client.get("/staff/items/new").status_code == 302
    sign_in_page(client, make_staff("reviewer").label, staff=True)
    assert client.get("/staff/items/new").status_code == 403
    assert client.get("/staff/items/driving-licence-replacement/preview").status_code == 403
