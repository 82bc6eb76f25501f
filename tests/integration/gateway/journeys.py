"""Test data and steps shared by the page and API tests of the applicant's journey."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

from flask.testing import FlaskClient
from PIL import Image, ImageDraw

from common.testing import eventually

LICENCE = "driving-licence-replacement"
LICENCE_DOCUMENTS = ["id_card_front", "id_card_back", "selfie_with_id_card", "portrait_photo"]
ANSWERS = {
    "full_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "licence_class": "c1",
    "reason": "lost",
}
ADDRESS = {
    "recipient": "张三",
    "phone": "13800138000",
    "province": "山东省",
    "city": "青岛市",
    "district": "市南区",
    "street": "香港中路 1 号",
}
GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
HTML_AS_JPEG = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
_HIDDEN = r'name="{}" value="([^"]*)"'


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def fee_of(client: FlaskClient, item_code: str = LICENCE) -> dict[str, Any]:
    """The item's fee in force now (other tests may have changed it)."""
    return dict(client.get(f"/api/v1/items/{item_code}").get_json()["fee"])


def photo(seed: int, width: int = 800, height: int = 600) -> bytes:
    """A JPEG that differs for every seed (verification refuses the same picture twice)."""
    picture = Image.new("RGB", (width, height), (200, 210 - seed % 50, 190 + seed % 60))
    pen = ImageDraw.Draw(picture)
    for index in range(6):
        left = (seed * 37 + index * 131) % (width - 120)
        top = (seed * 53 + index * 97) % (height - 90)
        pen.rectangle(
            (left, top, left + 110, top + 80), fill=((seed * 41 + index * 60) % 256, 40, 90)
        )
    pen.text((20, height - 40), f"No. {seed:06d}", fill=(0, 0, 0))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def hidden(html: str, name: str) -> str:
    found = re.search(_HIDDEN.format(name), html)
    assert found, f"the page has no hidden field {name}"
    return found.group(1)


class Browser:
    """An applicant's browser: follows the forms of the pages, with their CSRF tokens."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def post(self, page: str, data: dict[str, Any], action: str | None = None, **kw: Any) -> Any:
        html = self.client.get(page).get_data(as_text=True)
        form = {"csrf_token": hidden(html, "csrf_token"), **data}
        if 'name="attempt"' in html and "attempt" not in data:
            form["attempt"] = hidden(html, "attempt")
        return self.client.post(action or page, data=form, **kw)

    def start(self, item_code: str = LICENCE) -> str:
        answer = self.post(f"/items/{item_code}", {}, f"/items/{item_code}/start")
        assert answer.status_code == 303, answer.get_data(as_text=True)
        found = re.search(r"/applications/([^/]+)/tasks$", answer.headers["Location"])
        assert found, answer.headers["Location"]
        return found.group(1)

    def answer_all(self, order_id: str, answers: dict[str, str] = ANSWERS) -> None:
        for name, value in answers.items():
            page = f"/applications/{order_id}/questions/{name}"
            answer = self.post(page, {"answer": value})
            assert answer.status_code == 303, answer.get_data(as_text=True)

    def upload(self, order_id: str, code: str, content: bytes, filename: str = "photo.jpg") -> Any:
        page = f"/applications/{order_id}/documents/{code}"
        html = self.client.get(page).get_data(as_text=True)
        return self.client.post(
            page,
            data={
                "csrf_token": hidden(html, "csrf_token"),
                "file": (io.BytesIO(content), filename),
            },
            content_type="multipart/form-data",
        )

    def upload_all(self, order_id: str, codes: list[str] = LICENCE_DOCUMENTS) -> None:
        for seed, code in enumerate(codes, start=1):
            # The case opens as verification hears of the draft: until then, "try again".
            eventually(lambda c=code, s=seed: self.upload(order_id, c, photo(s)).status_code == 303)

    def choose_courier(self, order_id: str) -> None:
        assert (
            self.post(f"/applications/{order_id}/delivery", {"delivery": "courier"}).status_code
            == 303
        )
        answer = self.post(f"/applications/{order_id}/delivery/address", ADDRESS)
        assert answer.status_code == 303, answer.get_data(as_text=True)

    def ready_to_check(self, item_code: str = LICENCE) -> str:
        order_id = self.start(item_code)
        self.answer_all(order_id)
        self.upload_all(order_id)
        self.choose_courier(order_id)
        return order_id

    def submit(self, order_id: str) -> Any:
        # The documents' verdict reaches orders by event: the check page waits for it.
        eventually(lambda: self.get(f"/applications/{order_id}/check").status_code == 200)
        return self.post(f"/applications/{order_id}/check", {})

    def hand_card(self, order_id: str, card: str, expiry: str = "12/30", cvc: str = "123") -> Any:
        """Press Pay: the answer comes at once (the in-progress page, or the form refused)."""
        page = f"/applications/{order_id}/pay"
        return self.post(page, {"card_number": card, "expiry": expiry, "cvc": cvc})

    def pay(self, order_id: str, card: str, expiry: str = "12/30", cvc: str = "123") -> Any:
        """Press Pay, then reload the in-progress page as its meta refresh does until
        the provider's answer is in: the pay page's answer once it is."""
        pressed = self.hand_card(order_id, card, expiry, cvc)
        page = f"/applications/{order_id}/pay"
        if pressed.status_code != 303 or not pressed.headers["Location"].endswith(page):
            return pressed
        answers: list[Any] = []

        def settled() -> bool:
            answers.append(self.get(page))
            return 'http-equiv="refresh"' not in answers[-1].get_data(as_text=True)

        eventually(settled)
        return answers[-1]


class ApiApplicant:
    """An applicant using /api/v1 with a bearer token."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, expected: int | None = None, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        answer = self.client.open(f"/api/v1{path}", method=method, headers=headers, **kw)
        if expected is not None:
            assert answer.status_code == expected, (
                f"{method} {path}: {answer.get_data(as_text=True)}"
            )
        return answer

    def start(self, item_code: str = LICENCE, key: str | None = None) -> dict[str, Any]:
        headers = {"Idempotency-Key": key or uuid.uuid4().hex}
        return self.call(
            "POST", "/applications", 201, json={"item_code": item_code}, headers=headers
        ).get_json()

    def upload(self, order_id: str, code: str, content: bytes, filename: str = "photo.jpg") -> Any:
        return self.call(
            "PUT",
            f"/applications/{order_id}/documents/{code}",
            data={"file": (io.BytesIO(content), filename)},
            content_type="multipart/form-data",
        )

    def ready_to_submit(self, item_code: str = LICENCE) -> str:
        order = self.start(item_code)
        order_id = order["id"]
        self.call("PUT", f"/applications/{order_id}/answers", 200, json={"answers": ANSWERS})
        for seed, code in enumerate(LICENCE_DOCUMENTS, start=10):
            eventually(lambda c=code, s=seed: self.upload(order_id, c, photo(s)).status_code == 201)
        self.call(
            "PUT",
            f"/applications/{order_id}/delivery",
            200,
            json={"kind": "courier", "address": ADDRESS},
        )
        eventually(
            lambda: self.call("GET", f"/applications/{order_id}").get_json()["documents"][
                "complete"
            ]
        )
        return str(order_id)

    def submit(self, order_id: str, key: str | None = None) -> Any:
        headers = {"Idempotency-Key": key or f"submit-{order_id}"}
        return self.call("POST", f"/applications/{order_id}/submit", headers=headers)

    def pay(self, order_id: str, card: str) -> Any:
        body = {"card_number": card, "expiry": "12/30", "cvc": "123"}
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        return self.call(
            "POST", f"/applications/{order_id}/payment/card", json=body, headers=headers
        )
