"""The wallet sandbox's own pages, served by the orders web app only while the
sandbox is the payment provider (as the wallet companies serve theirs):

- GET  /sandbox/wallet/cashier/<out_trade_no>: the page wallet's cashier: the
  amount, what it is for, a QR code (SVG drawn here) to scan with the
  wallet's phone app, and a "simulated phone" that pays it;
- GET  /sandbox/wallet/scan/<out_trade_no>: what the phone shows once it has
  scanned a code (either wallet's), with the button that pays;
- POST /sandbox/wallet/pay/<out_trade_no>: the phone pays. The page wallet
  then sends the browser back to the merchant's return URL; the QR wallet's
  phone says it is done (the merchant's page learns it by notification).

The pages are Chinese, as the companies' are. A trade that does not exist is
404; one closed, expired or already paid is 409 with the reason in words.
"""

from __future__ import annotations

from html import escape

import segno
from flask import Blueprint, Response, redirect

from orders.payments import ProviderRefused
from orders.payments.wallet_sandbox import CLOSED, HELD, PAGE, PAID, REFUNDED, WalletSandbox

PREFIX = "/sandbox/wallet"

_STATUS_WORDS = {
    CLOSED: "交易已关闭，无法付款。",
    PAID: "已付款。",
    HELD: "已付款（资金已冻结）。",
    REFUNDED: "已退款。",
}


def _yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def _page(title: str, body: str, status: int = 200) -> Response:
    html = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; background: #f3f4f6; color: #111; }}
main {{ max-width: 26rem; margin: 0 auto; padding: 1rem; }}
.card {{ background: #fff; border-radius: .5rem; padding: 1rem; margin-bottom: 1rem; }}
.amount {{ font-size: 2rem; font-weight: bold; margin: .25rem 0; }}
.qr svg {{ width: 100%; max-width: 16rem; height: auto; display: block; margin: 0 auto; }}
button {{ font-size: 1.1rem; padding: .75rem 1rem; width: 100%; border: 0;
  border-radius: .4rem; background: #1677ff; color: #fff; cursor: pointer; }}
button:focus {{ outline: 3px solid #ffbf47; }}
.note {{ color: #555; font-size: .9rem; }}
</style></head>
<body><main>{body}</main></body></html>"""
    return Response(html, status=status, mimetype="text/html")


def _trade_facts(subject: str, amount_fen: int) -> str:
    return (
        f'<p>订单：<span translate="no">{escape(subject)}</span></p>'
        f'<p class="amount">{_yuan(amount_fen)}</p>'
    )


def cashier_blueprint(sandbox: WalletSandbox) -> Blueprint:
    bp = Blueprint("wallet_sandbox", __name__, url_prefix=PREFIX)

    def _pay_form(out_trade_no: str, label: str) -> str:
        return (
            f'<form method="post" action="{PREFIX}/pay/{escape(out_trade_no)}">'
            f'<button type="submit">{escape(label)}</button></form>'
        )

    def _closed(status: str) -> Response:
        words = _STATUS_WORDS.get(status, "交易无法付款。")
        return _page("无法付款", f'<div class="card"><h1>无法付款</h1><p>{words}</p></div>', 409)

    @bp.get("/cashier/<out_trade_no>")
    def cashier(out_trade_no: str) -> Response:
        trade = sandbox.view(out_trade_no)
        if trade is None or trade.kind != PAGE:
            return _page("没有这笔交易", "<h1>没有这笔交易</h1>", 404)
        if trade.status != "waiting":
            return _closed(trade.status)
        scan = sandbox.link("qr", out_trade_no)
        # No fixed size: the viewBox lets the stylesheet scale the code to the card.
        svg = segno.make(scan, error="m").svg_inline(scale=4, title="付款二维码", omitsize=True)
        body = f"""
<div class="card"><h1>钱包收银台（测试环境）</h1>{_trade_facts(trade.subject, trade.amount_fen)}</div>
<div class="card qr" role="img" aria-label="付款二维码">{svg}
<p>打开钱包手机应用，扫描二维码付款。</p></div>
<div class="card"><h2>模拟手机</h2>
<p class="note">测试环境没有真的手机：按下面的按钮，就像用手机扫码并确认付款。</p>
{_pay_form(out_trade_no, "模拟手机扫码付款")}</div>"""
        return _page("钱包收银台", body)

    @bp.get("/scan/<out_trade_no>")
    def scan(out_trade_no: str) -> Response:
        trade = sandbox.view(out_trade_no)
        if trade is None:
            return _page("没有这笔交易", "<h1>没有这笔交易</h1>", 404)
        if trade.status != "waiting":
            return _closed(trade.status)
        held = (
            "" if trade.kind == PAGE else '<p class="note">付款后资金先冻结，商户确认后扣款。</p>'
        )
        body = f"""
<div class="card"><h1>确认付款（模拟手机）</h1>{_trade_facts(trade.subject, trade.amount_fen)}{held}
{_pay_form(out_trade_no, "确认付款")}</div>"""
        return _page("确认付款", body)

    @bp.post("/pay/<out_trade_no>")
    def pay(out_trade_no: str) -> Response:
        trade = sandbox.view(out_trade_no)
        if trade is None:
            return _page("没有这笔交易", "<h1>没有这笔交易</h1>", 404)
        try:
            paid = sandbox.pay(out_trade_no)
        except ProviderRefused:
            fresh = sandbox.view(out_trade_no)
            return _closed(fresh.status if fresh else CLOSED)
        if paid.kind == PAGE and paid.return_url:
            return redirect(paid.return_url, code=303)  # type: ignore[return-value]
        words = "付款成功。" if paid.status == PAID else "付款成功，资金已冻结，商户确认后扣款。"
        body = f'<div class="card"><h1 role="status">{words}</h1><p>请回到商户页面。</p></div>'
        return _page("付款成功", body)

    return bp
