"""Every text the gateway shows, in Simplified Chinese (the default) and English.

Pages, error summaries and API problem documents all take their words from
MESSAGES; nothing user-facing is written anywhere else. A message may carry
`{name}` placeholders filled by `translate(key, lang, name=...)`.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
LANGUAGE_NAMES = {"zh-CN": "简体中文", "en": "English"}

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the frame of every page
    "site.name": ("车辆管理所网上服务店", "Vehicle Management Office Online Store"),
    "site.skip": ("跳到主要内容", "Skip to main content"),
    "site.nav_label": ("主导航", "Main navigation"),
    "site.store": ("服务店", "Store"),
    "site.register": ("注册", "Register"),
    "site.sign_in": ("登录", "Sign in"),
    "site.sign_out": ("退出登录", "Sign out"),
    "site.account": ("我的账户", "Your account"),
    "site.staff": ("工作人员", "Staff"),
    "site.footer": (
        "价格均经物价主管部门核准。本店由车辆管理所运营。",
        "All prices are approved by the price authority. This store is run by the vehicle management office.",
    ),
    "site.signed_in_as": ("已登录：{label}", "Signed in as {label}"),
    # --- the store front
    "store.title": ("全部服务", "All services"),
    "store.intro": (
        "在网上办理车驾管业务：填写申请、上传照片、支付制作费和快递费，证件寄送到家或到窗口自取。",
        "Apply online: fill in the form, upload photos, pay the production cost and courier fee, and receive your credential by courier or pick it up at an office.",
    ),
    "store.summary_heading": ("本店概况", "About this store"),
    "store.total_deals": ("累计成交 {count} 笔", "{count} deals in total"),
    "store.store_rating": ("店铺评分", "Store rating"),
    "store.no_items": ("目前没有可办理的服务。", "No services are available at the moment."),
    "store.items_heading": ("可办理的服务", "Services you can apply for"),
    "item.production_fee": ("制作费", "Production cost"),
    "item.delivery_fee": ("快递费", "Courier fee"),
    "item.total_fee": ("合计", "Total"),
    "item.sla": ("办理时限：{days} 个工作日", "Processing time: {days} working days"),
    "item.deals": ("已成交 {count} 笔", "{count} deals"),
    "item.upcoming_fee": ("自 {day} 起的新价格", "New fee from {day}"),
    "item.no_fee": ("暂无核准价格", "No approved price yet"),
    "rating.text": (
        "{average} 分（满分 5 分），{count} 条评价",
        "{average} out of 5, {count} ratings",
    ),
    "rating.labelled": ("{label}：", "{label}: "),
    "rating.none": ("暂无评价", "No ratings yet"),
    # --- an item's page
    "item.what_you_need": ("您需要准备的材料", "What you need"),
    "item.no_documents": ("无需上传材料。", "No documents are needed."),
    "item.questions": ("申请时需要回答的问题", "The questions you will be asked"),
    "item.required": ("必填", "required"),
    "item.optional": ("选填", "optional"),
    "item.no_questions": ("无需填写其他信息。", "No further questions."),
    "item.what_it_costs": ("费用", "What it costs"),
    "item.approval_ref": ("价格核准文号", "Price approval reference"),
    "item.effective_from": ("生效日期", "In force since"),
    "item.delivery": ("领取方式", "How you receive it"),
    "item.courier": ("快递寄送到您的地址", "By courier to your address"),
    "item.pickup": (
        "到以下窗口自取（免快递费）",
        "Pick up at one of these offices (no courier fee)",
    ),
    "item.no_delivery": ("暂无领取方式。", "No delivery options yet."),
    "item.status": ("状态", "Status"),
    "item.back": ("返回全部服务", "Back to all services"),
    "item.not_found": ("没有找到这项服务。", "There is no such service."),
    # --- item status names
    "status.draft": ("草稿", "Draft"),
    "status.published": ("已上架", "Published"),
    "status.withdrawn": ("已下架", "Withdrawn"),
    # --- forms in general
    "form.error_summary": ("出现了问题", "There is a problem"),
    "form.invalid": ("请检查标出的字段。", "Check the fields marked."),
    "form.error_prefix": ("错误：", "Error:"),
    # --- registration
    "register.title": ("注册申请人账户", "Register an applicant account"),
    "register.intro": (
        "使用电子邮箱或中国大陆手机号码注册。",
        "Register with an email address or a China mainland mobile number.",
    ),
    "register.identifier": ("电子邮箱或手机号码", "Email address or mobile number"),
    "register.identifier_hint": (
        "例如 name@example.com 或 13800138000",
        "For example name@example.com or 13800138000",
    ),
    "register.password": ("密码", "Password"),
    "register.password_hint": ("至少 10 个字符。", "At least 10 characters."),
    "register.password_confirmation": ("再次输入密码", "Confirm password"),
    "register.submit": ("注册", "Register"),
    "register.conflict": (
        "无法使用这些信息注册；如果您已有账户，请登录。",
        "You cannot register with these details; if you have an account, sign in.",
    ),
    "register.have_account": ("已有账户？登录", "Already have an account? Sign in"),
    # --- signing in
    "sign_in.title": ("登录", "Sign in"),
    "sign_in.staff_title": ("工作人员登录", "Staff sign in"),
    "sign_in.identifier": ("电子邮箱或手机号码", "Email address or mobile number"),
    "sign_in.staff_identifier": ("工作邮箱", "Work email address"),
    "sign_in.password": ("密码", "Password"),
    "sign_in.submit": ("登录", "Sign in"),
    "sign_in.failed": (
        "邮箱/手机号码或密码不正确。",
        "The email address, mobile number or password is not right.",
    ),
    "sign_in.too_many": (
        "登录失败次数过多。请 15 分钟后再试。",
        "Too many failed sign-in attempts. Try again in 15 minutes.",
    ),
    "sign_in.no_account": ("还没有账户？注册", "No account yet? Register"),
    "sign_in.staff_link": ("工作人员入口", "Staff sign in"),
    # --- account
    "account.title": ("我的账户", "Your account"),
    "account.signed_in": ("您已登录，账户：{label}", "You are signed in as {label}."),
    # --- field messages
    "identifier.required": (
        "请输入电子邮箱或手机号码。",
        "Enter an email address or a mobile number.",
    ),
    "identifier.bad_mobile": (
        "手机号码应为以 1 开头的 11 位中国大陆号码。",
        "A mobile number has 11 digits and starts with 1 (China mainland).",
    ),
    "identifier.invalid": (
        "请输入有效的电子邮箱（如 name@example.com）或手机号码。",
        "Enter a valid email address (like name@example.com) or mobile number.",
    ),
    "password.required": ("请输入密码。", "Enter a password."),
    "password.too_short": (
        "密码至少需要 10 个字符。",
        "The password needs at least 10 characters.",
    ),
    "password.too_long": (
        "密码不能超过 256 个字符。",
        "The password can have at most 256 characters.",
    ),
    "password.blank": ("密码不能只包含空格。", "The password cannot be only spaces."),
    "password.mismatch": ("两次输入的密码不一致。", "The two passwords are not the same."),
    "money.required": ("请输入金额（元）。", "Enter an amount in yuan."),
    "money.negative": ("金额不能为负数。", "The amount cannot be negative."),
    "money.not_a_number": (
        "请输入数字金额，例如 10.00。",
        "Enter the amount as a number, like 10.00.",
    ),
    "money.too_many_decimals": (
        "金额最多保留两位小数（到分）。",
        "The amount can have at most 2 decimal places (fen).",
    ),
    "money.too_large": ("金额过大。", "The amount is too large."),
    "approval_ref.required": ("请输入价格核准文号。", "Enter the price approval reference."),
    "approval_ref.too_long": (
        "核准文号不能超过 100 个字符。",
        "The approval reference can have at most 100 characters.",
    ),
    "effective_from.past": (
        "生效日期不能早于今天，历史价格不能改写。",
        "The date cannot be before today: the fee history cannot be rewritten.",
    ),
    "effective_from.invalid": (
        "请按 年-月-日 格式输入日期，例如 2026-12-01。",
        "Enter the date as year-month-day, like 2026-12-01.",
    ),
    "staff.bad_role": (
        "角色必须是 reviewer、production、dispatcher 或 supervisor。",
        "A role is one of reviewer, production, dispatcher or supervisor.",
    ),
    "staff.exists": ("已有使用该邮箱的工作人员账户。", "A staff account with this email exists."),
    # --- staff pages
    "staff.title": ("工作台", "Staff desk"),
    "staff.your_roles": ("您的角色：{roles}", "Your roles: {roles}"),
    "staff.items_title": ("管理服务与价格", "Manage services and fees"),
    "staff.items_link": ("管理服务与价格", "Manage services and fees"),
    "staff.code": ("编号", "Code"),
    "staff.service": ("服务", "Service"),
    "staff.fee": ("当前价格", "Current fee"),
    "staff.actions": ("操作", "Actions"),
    "staff.change_fee_short": ("修改价格", "Change fee"),
    "staff.publish": ("上架“{title}”", "Publish “{title}”"),
    "staff.withdraw": ("下架“{title}”", "Withdraw “{title}”"),
    "notice.published": ("服务已上架。", "The service is published."),
    "notice.withdrawn": ("服务已下架。", "The service is withdrawn."),
    "notice.fee_saved": ("新价格已保存。", "The new fee is saved."),
    "notice.registered": ("注册成功，您已登录。", "You are registered and signed in."),
    "notice.signed_out": ("您已退出登录。", "You have signed out."),
    "notice.signed_in": ("您已登录。", "You are signed in."),
    "staff.fee_title": ("修改价格：{title}", "Change the fee: {title}"),
    "staff.fee_intro": (
        "输入物价主管部门核准的价格（元，最多两位小数）。新价格生成新的版本，历史价格保留。",
        "Enter the prices approved by the price authority (yuan, at most 2 decimals). A new fee is a new version; the history is kept.",
    ),
    "staff.production_yuan": ("制作费（元）", "Production cost (yuan)"),
    "staff.delivery_yuan": ("快递费（元）", "Courier fee (yuan)"),
    "staff.money_hint": ("例如 10.00", "For example 10.00"),
    "staff.approval_ref": ("价格核准文号", "Price approval reference"),
    "staff.approval_ref_hint": ("例如 青价费〔2026〕12号", "For example QD-PRICE-2026-12"),
    "staff.effective_from": ("生效日期（选填）", "In force from (optional)"),
    "staff.effective_from_hint": (
        "格式 年-月-日，例如 2026-12-01。留空则立即生效。",
        "Year-month-day, like 2026-12-01. Leave empty for now.",
    ),
    "staff.save_fee": ("保存新价格", "Save the new fee"),
    "staff.cancel": ("取消，返回列表", "Cancel and go back to the list"),
    # --- refusals and failures
    "auth.needed": ("请先登录。", "You need to sign in."),
    "auth.forbidden": ("您没有权限执行此操作。", "You are not allowed to do this."),
    "auth.forbidden_title": ("没有权限", "Not allowed"),
    "csrf.failed": (
        "表单已过期或缺少安全令牌。请返回、刷新页面后重新提交。",
        "The form has expired or is missing its security token. Go back, reload the page and submit it again.",
    ),
    "csrf.title": ("无法提交表单", "The form could not be sent"),
    "upstream.unavailable": (
        "服务暂时不可用，请稍后再试。",
        "The service is unavailable at the moment. Try again later.",
    ),
    "upstream.title": ("服务暂时不可用", "Service unavailable"),
    "upstream.conflict": ("当前状态不允许此操作。", "This cannot be done in the current state."),
    "error.not_found_title": ("页面不存在", "Page not found"),
    "error.not_found": ("没有找到您要的页面。", "We could not find that page."),
    "error.title": ("出现了问题", "Something went wrong"),
    "error.internal": (
        "系统出现错误，已记录。",
        "Something went wrong on our side; it has been logged.",
    ),
    "error.back_home": ("返回服务店首页", "Go to the store front"),
    "error.too_many_title": ("请稍后再试", "Try again later"),
    "error.method": ("不支持此请求方式。", "This request method is not supported."),
    "error.bad_request": ("请求无效。", "The request is not valid."),
}


def normalise_language(raw: str | None) -> str:
    if not raw:
        return DEFAULT_LANGUAGE
    lowered = raw.strip().lower()
    if lowered.startswith("en"):
        return "en"
    if lowered.startswith("zh"):
        return "zh-CN"
    return DEFAULT_LANGUAGE


def is_key(text: str) -> bool:
    return text in MESSAGES


def translate(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: Any) -> str:
    """The message in the language; a text that is not a key passes through unchanged."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key.format(**values) if values else key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text
