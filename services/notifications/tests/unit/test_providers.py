"""send_each: a provider that takes one message per call still answers a batch,
one Answer per message, whatever each call raised."""

from __future__ import annotations

from notifications.providers import (
    Answer,
    Outgoing,
    ProviderRejected,
    ProviderUnavailable,
    send_each,
)


class OneAtATime:
    name, channel = "one", "sms"

    def send(self, *, idempotency_key: str, to: str, subject: str, body: str) -> str:
        if to.endswith("0000"):
            raise ProviderRejected("invalid-recipient")
        if to.endswith("1111"):
            raise ProviderUnavailable("the provider is down")
        if to.endswith("2222"):
            raise TimeoutError("no answer")
        return f"p-{idempotency_key}"


def test_each_message_gets_its_own_answer_in_order():
    sent = [Outgoing(f"k{n}", f"1390000{to}", "s", "b") for n, to in
            enumerate(("5678", "0000", "1111", "2222"))]  # fmt: skip
    assert send_each(OneAtATime(), sent) == [  # type: ignore[arg-type]
        Answer(accepted="p-k0"),
        Answer(rejected="invalid-recipient"),
        Answer(unavailable="the provider is down"),
        Answer(unavailable="TimeoutError"),
    ]
