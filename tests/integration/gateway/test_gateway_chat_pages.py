"""The order chat on the applicant's pages, on the real catalog, orders and
verification: posting with the form, refusals told in words, markup shown as
text, the office's notes kept from the applicant, and the unread notice."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from common.testing import eventually
from gateway.clients.chat import ChatClient
from gateway.clients.http import Caller

from .journeys import Browser, hidden
from .office import Office


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _opened(browser: Browser) -> str:
    """A draft whose chat exists (verification opens the case as it hears of the draft)."""
    order_id = browser.start()
    eventually(lambda: 'id="chat-title"' in _text(browser.get(f"/applications/{order_id}")))
    return order_id


def _send(browser: Browser, order_id: str, body: str) -> Any:
    page = f"/applications/{order_id}"
    return browser.post(page, {"body": body}, f"{page}/messages")


def _messages(page: str) -> list[str]:
    return [
        html.unescape(body)
        for body in re.findall(r'<p class="chat-body"[^>]*>(.*?)</p>', page, re.S)
    ]


def test_an_applicant_writes_to_the_office_and_reads_the_answer(
    browser: Browser, office: Office
) -> None:
    order_id = _opened(browser)
    page = _text(browser.get(f"/applications/{order_id}"))
    assert "No messages yet." in page
    assert '<label class="label" for="body">Your message</label>' in page
    assert "At most 1,000 characters" in page
    assert 'type="file"' not in page

    sent = _send(browser, order_id, "Can I pick it up in Qingdao instead?")
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(
        f"/applications/{order_id}?notice=notice.message_sent#chat-title"
    )
    office.say(order_id, "Yes: choose pickup before you send the application.")

    page = _text(browser.get(f"/applications/{order_id}?notice=notice.message_sent"))
    assert "Your message is sent." in page
    assert _messages(page) == [
        "Can I pick it up in Qingdao instead?",
        "Yes: choose pickup before you send the application.",
    ]
    authors = re.findall(r'<p class="chat-meta">\s*<strong>([^<]+)</strong>', page)
    assert authors == ["You", "The office"]


def test_markup_typed_into_the_chat_comes_back_as_text(browser: Browser, office: Office) -> None:
    order_id = _opened(browser)
    typed = '<script>alert("x")</script><b>bold</b> & <a href="https://evil.example">here</a>'
    assert _send(browser, order_id, typed).status_code == 303
    office.say(order_id, "<img src=x onerror=alert(1)>")

    page = _text(browser.get(f"/applications/{order_id}"))
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert '<a href="https://evil.example">' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp;" in page
    assert _messages(page) == [typed, "<img src=x onerror=alert(1)>"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "Enter a message."),
        ("长" * 1001, "The message is too long: shorten it to the length shown and send it again."),
    ],
)
def test_an_empty_or_too_long_message_is_refused_beside_the_field_and_kept(
    browser: Browser, body: str, message: str
) -> None:
    order_id = _opened(browser)
    refused = _send(browser, order_id, body)
    assert refused.status_code == 422
    page = _text(refused)
    assert page.count(message) == 2  # in the error summary and beside the field
    assert '<a href="#body">' + message in page
    assert 'aria-invalid="true"' in page
    if body.strip():
        assert body in page  # what was typed is not lost
    assert _messages(_text(browser.get(f"/applications/{order_id}"))) == []


def test_a_message_is_counted_as_verification_counts_it_after_trimming_the_spaces(
    browser: Browser,
) -> None:
    order_id = _opened(browser)
    page = _text(browser.get(f"/applications/{order_id}"))
    assert 'maxlength="1000"' in page  # verification's limit, from GET /review/rules
    padded = "   " + "好" * 1000 + "\n\n"
    assert _send(browser, order_id, padded).status_code == 303
    assert _messages(_text(browser.get(f"/applications/{order_id}"))) == ["好" * 1000]


def test_an_eleventh_message_in_a_minute_is_refused_in_words(browser: Browser) -> None:
    order_id = _opened(browser)
    for number in range(10):
        assert _send(browser, order_id, f"message {number}").status_code == 303
    refused = _send(browser, order_id, "one too many")
    assert refused.status_code == 429
    assert "You have sent too many messages in a minute." in _text(refused)
    assert len(_messages(_text(browser.get(f"/applications/{order_id}")))) == 10


def test_a_file_sent_to_the_chat_is_refused_and_nothing_is_posted(browser: Browser) -> None:
    order_id = _opened(browser)
    page = _text(browser.get(f"/applications/{order_id}"))
    refused = browser.client.post(
        f"/applications/{order_id}/messages",
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "body": "my ID card",
            "file": (io.BytesIO(b"\xff\xd8\xff photo"), "id.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "Photos go on the documents page, never in the chat." in _text(refused)
    assert _messages(_text(browser.get(f"/applications/{order_id}"))) == []


def test_a_message_without_the_forms_token_is_refused(browser: Browser) -> None:
    order_id = _opened(browser)
    refused = browser.client.post(f"/applications/{order_id}/messages", data={"body": "hi"})
    assert refused.status_code == 400
    assert _messages(_text(browser.get(f"/applications/{order_id}"))) == []


def test_the_offices_internal_notes_are_never_shown_to_the_applicant(
    browser: Browser, office: Office
) -> None:
    order_id = _opened(browser)
    office.say(order_id, "Check the plate against the registry first.", internal=True)
    office.say(order_id, "We have your application.")
    page = _text(browser.get(f"/applications/{order_id}"))
    assert _messages(page) == ["We have your application."]
    assert "Check the plate" not in page
    assert "Internal note" not in page


def test_unread_messages_show_in_the_header_and_my_applications_until_read(
    browser: Browser, office: Office
) -> None:
    order_id = _opened(browser)
    reference = re.search(r"Application (LT\d+)", _text(browser.get(f"/applications/{order_id}")))
    assert reference
    office.say(order_id, "Please check your phone number.")
    office.say(order_id, "And your address.")

    store = _text(browser.get("/"))
    assert '<span class="unread-badge">(2 new messages)</span>' in store
    mine = _text(browser.get("/applications"))
    assert "You have new messages" in mine
    assert f"Application {reference.group(1)}: 2 new messages" in mine
    assert f'href="/applications/{order_id}#chat-title"' in mine

    browser.get(f"/applications/{order_id}")  # reading the thread marks it read
    assert "unread-badge" not in _text(browser.get("/"))
    assert "You have new messages" not in _text(browser.get("/applications"))


def test_the_chat_and_its_notice_speak_chinese_by_default(browser: Browser, office: Office) -> None:
    order_id = _opened(browser)
    office.say(order_id, "请核对您的手机号码。")
    browser.client.set_cookie("lang", "zh-CN")
    assert "1 条新消息" in _text(browser.get("/applications"))
    page = _text(browser.get(f"/applications/{order_id}"))
    assert "与办理人员的对话" in page and "您的留言" in page and "办理人员" in page
    refused = _send(browser, order_id, "")
    assert "请输入留言内容。" in _text(refused)


def test_another_applicants_order_and_its_chat_are_not_found(
    client: FlaskClient, browser: Browser, make_applicant, sign_in_page, office: Office
) -> None:
    order_id = _opened(browser)
    office.say(order_id, "For the owner only.")
    other = make_applicant()
    assert sign_in_page(client, other.label).status_code == 303
    assert client.get(f"/applications/{order_id}").status_code == 404
    page = _text(client.get("/applications"))
    refused = client.post(
        f"/applications/{order_id}/messages",
        data={"csrf_token": hidden(page, "csrf_token"), "body": "hello"},
    )
    assert refused.status_code == 404
    assert "For the owner only." not in _text(refused)
    assert "unread-badge" not in page


class CountingChat(ChatClient):
    """The real chat client, counting the unread look-ups it makes."""

    def __init__(self, real: ChatClient) -> None:
        self.__dict__.update(real.__dict__)
        self.unread_calls = 0
        self.quick_calls = 0

    def unread(self, caller: Caller, *, quick: bool = False) -> dict[str, int]:
        self.unread_calls += 1
        self.quick_calls += quick
        return super().unread(caller, quick=quick)


@pytest.fixture
def counting(app: Flask) -> Iterator[CountingChat]:
    gateway = app.extensions["gateway"]
    real = gateway.chat
    gateway.chat = CountingChat(real)
    yield gateway.chat
    gateway.chat = real


def test_unread_messages_are_asked_once_a_page_and_never_for_visitors(
    client: FlaskClient, counting: CountingChat, make_applicant, sign_in_page
) -> None:
    client.set_cookie("lang", "en")
    assert client.get("/").status_code == 200
    assert client.get("/items/driving-licence-replacement").status_code == 200
    assert counting.unread_calls == 0

    applicant = make_applicant()
    assert sign_in_page(client, applicant.label).status_code == 303
    counting.unread_calls = 0
    assert client.get("/").status_code == 200
    assert counting.unread_calls == 1
    assert client.get("/applications").status_code == 200  # the header and the list share it
    assert counting.unread_calls == 2
    assert counting.quick_calls == 2  # a notice never holds a page up
