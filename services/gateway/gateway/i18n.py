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
    # --- applying: the frame
    "site.applications": ("我的申请", "My applications"),
    "nav.back": ("返回", "Back"),
    "item.start": ("开始申请", "Start now"),
    "item.start_hint": (
        "开始前请准备好上面列出的材料照片。需要先登录。",
        "Have photos of the documents above ready before you start. You will need to sign in.",
    ),
    "payment.none": ("这份申请还没有支付单。", "This application has no payment yet."),
    "application.not_found": ("没有找到这份申请。", "We could not find that application."),
    # --- the task list
    "tasks.title": ("申请事项", "Your application"),
    "tasks.reference": ("申请编号：{reference}", "Application reference: {reference}"),
    "tasks.progress": (
        "已完成 {done} 项，共 {total} 项。",
        "You have completed {done} of {total} sections.",
    ),
    "tasks.details": ("您的信息", "Your details"),
    "tasks.vehicle": ("车辆信息", "Your vehicle"),
    "tasks.documents": ("上传材料照片", "Upload documents"),
    "tasks.delivery": ("领取方式", "Delivery"),
    "tasks.check": ("核对并支付", "Check and pay"),
    "tasks.details_link": (
        "查看申请详情、进度或取消申请",
        "See the application's details, progress or cancel it",
    ),
    "task_status.not_started": ("未开始", "Not started"),
    "task_status.in_progress": ("进行中", "In progress"),
    "task_status.completed": ("已完成", "Completed"),
    "task_status.cannot_start": ("暂不能开始", "Cannot start yet"),
    # --- questions
    "question.optional": ("（选填）", "(optional)"),
    "question.continue": ("继续", "Continue"),
    "question.date_hint": ("格式 年-月-日，例如 2021-05-18。", "Year-month-day, like 2021-05-18."),
    "answer.enter": ("请填写{label}。", "Enter your answer to “{label}”."),
    "answer.choose": ("请选择{label}。", "Select an answer to “{label}”."),
    "answer.id_number": (
        "请输入有效的 18 位公民身份号码（末位可能为 X）。",
        "Enter a valid 18-character resident ID number (the last may be X).",
    ),
    "answer.phone": (
        "请输入以 1 开头的 11 位中国大陆手机号码。",
        "Enter a China mainland mobile number: 11 digits starting with 1.",
    ),
    "answer.plate_number": (
        "请输入有效的号牌号码，例如 鲁B12345，新能源车如 鲁BD12345。",
        "Enter a valid plate number, like 鲁B12345, or 鲁BD12345 for a new-energy vehicle.",
    ),
    "answer.date": (
        "请按 年-月-日 格式输入真实日期，例如 2021-05-18。",
        "Enter a real date as year-month-day, like 2021-05-18.",
    ),
    "answer.too_long": (
        "“{label}”不能超过 {max} 个字符。",
        "“{label}” must be {max} characters or fewer.",
    ),
    "answer.format": (
        "“{label}”的格式不正确，请按提示填写。",
        "“{label}” is not in the right format: follow the hint.",
    ),
    # --- delivery
    "delivery.title": ("您希望如何领取？", "How do you want to receive it?"),
    "delivery.hint": (
        "选择快递寄送到家，或到车管所窗口自取（免快递费）。",
        "Choose delivery by courier, or pick it up at an office (no courier fee).",
    ),
    "delivery.courier": ("EMS 快递寄送到我的地址", "By EMS courier to my address"),
    "delivery.courier_fee": ("快递费 {fee}", "Courier fee {fee}"),
    "delivery.pickup_at": ("到{office}自取", "Pick up at {office}"),
    "delivery.no_fee": ("免快递费", "No courier fee"),
    "delivery.choose": ("请选择领取方式。", "Select how you want to receive it."),
    "address.title": ("收件地址", "Delivery address"),
    "address.intro": (
        "证件将通过 EMS 寄到这个地址，快递费 {fee}。",
        "We send it by EMS to this address; the courier fee is {fee}.",
    ),
    "address.recipient": ("收件人姓名", "Recipient's name"),
    "address.phone": ("收件人手机号码", "Recipient's mobile number"),
    "address.phone_hint": ("快递员会用这个号码联系收件人。", "The courier calls this number."),
    "address.province": ("省（自治区、直辖市）", "Province"),
    "address.city": ("市", "City"),
    "address.district": ("区（县）", "District or county"),
    "address.street": ("详细地址", "Street address"),
    "address.street_hint": (
        "街道、门牌号、小区、楼栋和房间号",
        "Street, number, estate, building and flat",
    ),
    "address.recipient.required": ("请填写收件人姓名。", "Enter the recipient's name."),
    "address.phone.required": ("请填写收件人手机号码。", "Enter the recipient's mobile number."),
    "address.province.required": ("请填写省份。", "Enter the province."),
    "address.city.required": ("请填写城市。", "Enter the city."),
    "address.district.required": ("请填写区（县）。", "Enter the district or county."),
    "address.street.required": ("请填写详细地址。", "Enter the street address."),
    "address.recipient.invalid": ("收件人姓名不正确，请检查。", "Check the recipient's name."),
    "address.phone.invalid": (
        "请输入以 1 开头的 11 位中国大陆手机号码。",
        "Enter a China mainland mobile number: 11 digits starting with 1.",
    ),
    "address.province.invalid": ("省份不正确，请检查。", "Check the province."),
    "address.city.invalid": ("城市不正确，请检查。", "Check the city."),
    "address.district.invalid": ("区（县）不正确，请检查。", "Check the district or county."),
    "address.street.invalid": ("详细地址不正确，请检查。", "Check the street address."),
    # --- documents
    "documents.title": ("上传材料照片", "Upload documents"),
    "documents.intro": (
        "每份材料上传一张清晰的照片。照片仅用于审核本申请，加密保存。",
        "Upload one clear photo of each document. The photos are used only to review this application and are stored encrypted.",
    ),
    "documents.preparing": (
        "我们正在准备您的申请，请稍候片刻再上传。",
        "We are preparing your application; try again in a moment.",
    ),
    "documents.uploaded": ("已上传", "Uploaded"),
    "documents.missing": ("未上传", "Not uploaded yet"),
    "documents.upload": ("上传", "Upload"),
    "documents.change": ("更换", "Change"),
    "documents.back_to_tasks": ("返回申请事项", "Back to your application"),
    "document.rule_format": ("JPEG 或 PNG 格式的照片", "A JPEG or PNG photo"),
    "document.rule_size": ("不超过 {megabytes} MB", "At most {megabytes} MB"),
    "document.rule_sharp": (
        "至少 640 × 480 像素，清晰、完整、无遮挡",
        "At least 640 × 480 pixels, sharp, whole and not covered",
    ),
    "document.your_photo": ("您上传的照片", "Your photo"),
    "document.preview_alt": ("您上传的{title}照片", "Your uploaded photo: {title}"),
    "document.uploaded_at": ("上传于 {when}", "Uploaded {when}"),
    "document.choose": ("选择照片", "Choose a photo"),
    "document.choose_different": ("选择另一张照片", "Choose a different photo"),
    "document.file_hint": (
        "JPEG 或 PNG，最大 {megabytes} MB。",
        "JPEG or PNG, at most {megabytes} MB.",
    ),
    "document.upload": ("上传照片", "Upload the photo"),
    "upload.too_large": ("文件太大。", "The file is too large."),
    "upload.too_large_title": ("文件太大", "The file is too large"),
    "upload.reason.no-file": ("请选择一张照片。", "Select a photo."),
    "upload.reason.empty": ("所选文件是空的。", "The selected file is empty."),
    "upload.reason.not-an-image": (
        "所选文件不是 JPEG 或 PNG 照片。",
        "The selected file is not a JPEG or PNG photo.",
    ),
    "upload.reason.polyglot": (
        "所选文件除了图片还含有其他内容，不能接受。请直接用相机拍摄后上传。",
        "The selected file contains something besides a picture, so it cannot be accepted. Upload a photo straight from your camera.",
    ),
    "upload.reason.too-large": (
        "所选文件超过 {megabytes} MB。",
        "The selected file must be smaller than {megabytes} MB.",
    ),
    "upload.reason.too-many-pixels": (
        "照片像素过多，无法处理。请缩小尺寸后上传。",
        "The photo has too many pixels to process. Make it smaller and upload it again.",
    ),
    "upload.reason.too-small": (
        "照片分辨率太低，至少需要 640 × 480 像素。",
        "The photo is too small: it needs at least 640 × 480 pixels.",
    ),
    "upload.reason.corrupt": (
        "照片已损坏，无法打开。请重新拍摄后上传。",
        "The photo is damaged and cannot be opened. Take it again and upload it.",
    ),
    "upload.reason.duplicate": (
        "这张照片已作为本申请的另一份材料上传过。请为每份材料上传各自的照片。",
        "You have already uploaded this photo for another document. Upload a separate photo for each document.",
    ),
    "upload.reason.case-not-ready": (
        "我们正在准备您的申请，请稍候片刻再试。",
        "We are preparing your application; try again in a moment.",
    ),
    "upload.reason.case-locked": (
        "申请已提交，材料不能再更改。",
        "The application has been sent, so its documents can no longer be changed.",
    ),
    "upload.reason.case-closed": (
        "这份申请已关闭，不能再上传材料。",
        "This application is closed, so no more documents can be uploaded.",
    ),
    "upload.reason.refused": (
        "这张照片未被接受，请换一张照片再试。",
        "The photo was not accepted. Try a different photo.",
    ),
    # --- check your answers
    "check.title": ("提交前请核对您的申请", "Check your answers before sending your application"),
    "check.change": ("修改", "Change"),
    "check.not_given": ("未填写", "Not given"),
    "check.delivery_how": ("领取方式", "How you receive it"),
    "check.delivery_address": ("收件地址", "Delivery address"),
    "check.office_address": ("窗口地址和办公时间", "Office address and hours"),
    "check.fees": ("费用", "Fees"),
    "check.send_title": ("提交申请", "Now send your application"),
    "check.declaration": (
        "提交即表示您确认所填信息真实、准确，所上传的照片为本人证件的真实照片。提交后价格锁定，请在 30 分钟内完成支付。",
        "By sending this application you confirm that the details are true and correct and the photos are of your own documents. The price is then fixed; pay within 30 minutes.",
    ),
    "check.submit": ("确认并去支付", "Accept and pay"),
    "check.submit_free": ("确认并提交", "Accept and send"),
    "check.incomplete": (
        "申请还没有填写完整，请回到申请事项完成标为未完成的部分。",
        "Your application is not complete yet: finish the sections not marked completed.",
    ),
    "check.to_tasks": ("返回申请事项", "Go back to your application"),
    # --- paying
    "pay.provider": ("沙箱支付（测试环境）", "Sandbox Pay (test environment)"),
    "pay.title": ("输入银行卡信息", "Enter your card details"),
    "pay.merchant": ("收款方", "Paying"),
    "pay.for": ("项目", "For"),
    "pay.amount": ("金额", "Amount"),
    "pay.sandbox_hint": (
        "沙箱环境：请使用测试卡号 4242 4242 4242 4242，任意未来的有效期和任意 3 位安全码。不会真实扣款。",
        "Sandbox: use test card 4242 4242 4242 4242 with any future expiry date and any 3-digit security code. No real money is taken.",
    ),
    "pay.card_number": ("卡号", "Card number"),
    "pay.card_number_hint": ("16 位数字，可带空格", "The 16 digits on the front of the card"),
    "pay.expiry": ("有效期", "Expiry date"),
    "pay.expiry_hint": ("月/年，例如 08/29", "Month/year, for example 08/29"),
    "pay.cvc": ("安全码", "Security code"),
    "pay.cvc_hint": ("卡背面的最后 3 位数字", "The last 3 digits on the back of the card"),
    "pay.submit": ("支付 {amount}", "Pay {amount}"),
    "pay.pay_by": (
        "请在 {when} 前完成支付，逾期申请将关闭。",
        "Pay by {when}, or the application closes.",
    ),
    "pay.later": ("稍后支付，返回申请详情", "Pay later: go to the application"),
    "card.card_number.invalid": (
        "请输入有效的卡号，例如 4242 4242 4242 4242。",
        "Enter a valid card number, like 4242 4242 4242 4242.",
    ),
    "card.expiry.invalid": (
        "请按 月/年 输入未过期的有效期，例如 08/29。",
        "Enter an expiry date that has not passed, as month/year, like 08/29.",
    ),
    "card.cvc.invalid": ("请输入 3 或 4 位安全码。", "Enter the 3 or 4 digit security code."),
    "payment.reason.card_declined": (
        "银行卡被拒绝，未扣款。请使用另一张卡。",
        "Your card was declined and you have not been charged. Try a different card.",
    ),
    "payment.reason.processing_error": (
        "支付服务出现错误，未扣款。请重试或换一张卡。",
        "The payment provider had a problem and you have not been charged. Try again or use a different card.",
    ),
    "payment.reason.expired_card": (
        "银行卡已过期，未扣款。请使用另一张卡。",
        "The card has expired and you have not been charged. Use a different card.",
    ),
    "payment.reason.insufficient_funds": (
        "卡内余额不足，未扣款。请使用另一张卡。",
        "The card has insufficient funds and you have not been charged. Use a different card.",
    ),
    "payment.reason.other": (
        "支付未成功，未扣款。请重试或换一张卡。",
        "The payment did not go through and you have not been charged. Try again or use a different card.",
    ),
    "waiting.title": ("正在等待支付结果", "We are waiting for your payment to be confirmed"),
    "waiting.body": (
        "支付服务还没有答复申请 {reference} 的支付结果，通常只需几秒。请稍后再查看。",
        "The payment provider has not answered yet for application {reference}; it usually takes a few seconds. Check again in a moment.",
    ),
    "waiting.check_again": ("再次查看", "Check again"),
    "confirmation.title": ("申请已提交", "Application submitted"),
    "confirmation.reference": ("您的申请编号", "Your reference number"),
    "confirmation.paid": (
        "已预授权 {amount}：审核通过后才会扣款，未通过或取消将全额退回。",
        "{amount} is authorised: it is taken only when the application is approved, and released if it is rejected or cancelled.",
    ),
    "confirmation.nothing_to_pay": (
        "本申请无需付费。",
        "There is nothing to pay for this application.",
    ),
    "confirmation.next_title": ("接下来", "What happens next"),
    "confirmation.next_review": (
        "工作人员将在 {days} 个工作日内审核您的材料。",
        "Staff review your documents within {days} working days.",
    ),
    "confirmation.next_review_soon": (
        "工作人员将尽快审核您的材料。",
        "Staff review your documents soon.",
    ),
    "confirmation.next_capture": (
        "如需补充材料，我们会在“我的申请”中告诉您。",
        "If anything else is needed, we tell you in “My applications”.",
    ),
    "confirmation.next_delivery": (
        "审核通过后制作证件，并按您选择的方式寄出或通知您自取。",
        "Once approved, it is made and sent the way you chose, or you are told when to pick it up.",
    ),
    "confirmation.view": ("查看这份申请", "View this application"),
    # --- my applications
    "applications.title": ("我的申请", "My applications"),
    "applications.reference": ("申请编号", "Reference"),
    "applications.service": ("服务", "Service"),
    "applications.status": ("状态", "Status"),
    "applications.updated": ("最近更新", "Last updated"),
    "applications.total": ("费用", "Total"),
    "applications.none": ("您还没有申请。", "You have no applications yet."),
    "applications.start_new": ("去服务店办理新的申请", "Start a new application in the store"),
    "application.title": ("申请 {reference}", "Application {reference}"),
    "application.continue": ("继续填写申请", "Continue your application"),
    "application.pay": ("去支付", "Pay now"),
    "application.price_locked": (
        "价格已在提交时锁定。",
        "The price was fixed when you sent the application.",
    ),
    "application.price_quote": (
        "这是按当前核准价格的报价，提交时锁定。",
        "This is a quote at the approved fee in force; it is fixed when you send the application.",
    ),
    "application.no_price": (
        "选择领取方式后显示费用。",
        "The fees show once you choose how to receive it.",
    ),
    "application.payment": ("支付", "Payment"),
    "application.card": ("银行卡", "Card"),
    "application.card_ending": ("尾号 {last4}", "ending {last4}"),
    "application.refunded": ("已退款", "Refunded"),
    "application.not_paid": ("尚未支付。", "Not paid yet."),
    "application.timeline": ("办理进度", "Timeline"),
    "application.cancel_title": ("取消申请", "Cancel the application"),
    "application.cancel": ("取消这份申请", "Cancel this application"),
    "timeline.when": ("时间", "When"),
    "timeline.what": ("事项", "What happened"),
    "timeline.who": ("操作人", "By"),
    "timeline.by_you": ("您本人", "You"),
    "timeline.by_system": ("系统", "The system"),
    "timeline.by_provider": ("支付服务", "The payment provider"),
    "timeline.by_staff": ("工作人员", "Staff"),
    "cancel.title": (
        "确定要取消申请 {reference} 吗？",
        "Are you sure you want to cancel application {reference}?",
    ),
    "cancel.effect.draft": (
        "草稿将被删除，已上传的照片也会删除。",
        "The draft and its uploaded photos are deleted.",
    ),
    "cancel.effect.unpaid": (
        "申请将关闭，不会扣款。",
        "The application is closed; nothing is charged.",
    ),
    "cancel.effect.paid": (
        "申请将取消，预授权的款项将被撤销，不会扣款。",
        "The application is cancelled and the authorised payment is released: nothing is charged.",
    ),
    "cancel.reason": ("取消原因（选填）", "Why are you cancelling? (optional)"),
    "cancel.reason_hint": ("最多 500 个字。", "At most 500 characters."),
    "cancel.confirm": ("是，取消申请", "Yes, cancel the application"),
    "cancel.keep": ("不，保留申请", "No, keep the application"),
    "cancel.not_allowed": (
        "这份申请当前状态为“{status}”，已不能取消。",
        "This application is now “{status}” and can no longer be cancelled.",
    ),
    "notice.cancelled": ("申请已取消。", "The application is cancelled."),
    "notice.photo_uploaded": ("照片已上传。", "The photo is uploaded."),
    # --- the order chat and new photos
    "chat.title": ("与办理人员的对话", "Messages with the office"),
    "chat.none": ("还没有消息。", "No messages yet."),
    "chat.body_label": ("您的留言", "Your message"),
    "chat.body_hint": (
        "最多 {limit} 个字。请不要在对话中发送照片，照片请在材料页面上传。",
        "At most {limit} characters. Do not send photos here: photos go on the documents page.",
    ),
    "chat.send": ("发送", "Send message"),
    "chat.closed": (
        "这份申请已办结，对话已关闭。",
        "This application is finished and its messages are closed.",
    ),
    "chat.internal_note": (
        "内部备注（申请人看不到）",
        "Internal note (not shown to the applicant)",
    ),
    "chat.author.you": ("您", "You"),
    "chat.author.office": ("办理人员", "The office"),
    "chat.author.staff": ("工作人员", "Staff"),
    "chat.author.applicant": ("申请人", "Applicant"),
    "chat.refused.empty": ("请输入留言内容。", "Enter a message."),
    "chat.refused.too-long": (
        "留言不能超过 1,000 个字。",
        "The message must be 1,000 characters or fewer.",
    ),
    "chat.refused.attachment": (
        "对话中不能发送照片或文件，照片请在材料页面上传。",
        "Photos go on the documents page, never in the chat.",
    ),
    "chat.refused.rate-limited": (
        "您发送得太快了，请稍等一分钟再发送。",
        "You have sent too many messages in a minute. Wait a minute, then send it again.",
    ),
    "chat.refused.case-closed": (
        "这份申请的对话已关闭，不能再发送留言。",
        "The messages of this application are closed: no more can be sent.",
    ),
    "notice.message_sent": ("留言已发送。", "Your message is sent."),
    "unread.header": ("{count} 条新消息", "{count} new messages"),
    "unread.title": ("您有新消息", "You have new messages"),
    "unread.application": (
        "申请 {reference}：{count} 条新消息",
        "Application {reference}: {count} new messages",
    ),
    "unread.column": ("新消息", "New messages"),
    "order_status.capture_failed": ("扣款未成功", "Payment not taken"),
    "timeline.to.capture_failed": (
        "审核通过，但扣款未成功，工作人员正在处理",
        "Approved, but the payment could not be taken: staff are dealing with it",
    ),
    "application.needs_photos": (
        "审核人员需要您重新上传部分照片。",
        "The office needs new photos from you.",
    ),
    "application.needs_photos_link": ("查看需要重新上传的照片", "See which photos to send again"),
    "resubmit.title": ("我们需要新的照片", "We need new photos"),
    "resubmit.intro": (
        "审核人员不能接受以下照片。请逐一重新上传，全部上传后提交审核。其他照片已通过，无需重新上传。",
        "The office could not accept the photos below. Upload a new one for each, then send them for review. Your other photos are accepted and stay as they are.",
    ),
    "resubmit.deadline": (
        "请在 {deadline} 之前提交新的照片，逾期申请将被驳回，预授权的款项将被撤销。",
        "Send the new photos by {deadline}. After that the application is rejected and the authorised payment released.",
    ),
    "resubmit.round": ("第 {round} 次补充材料", "Request {round} for new photos"),
    "resubmit.reason": ("原因", "Reason"),
    "resubmit.note": ("审核人员的说明", "The reviewer's note"),
    "resubmit.state": ("状态", "Status"),
    "resubmit.replaced": ("已重新上传", "New photo uploaded"),
    "resubmit.to_replace": ("待重新上传", "To upload again"),
    "resubmit.upload": ("上传新的照片", "Upload a new photo"),
    "resubmit.change": ("更换新的照片", "Change the new photo"),
    "resubmit.send": ("提交新的照片", "Send the new photos for review"),
    "resubmit.missing": (
        "请先重新上传：{titles}",
        "Upload a new photo first: {titles}",
    ),
    "resubmit.not_awaiting": (
        "这份申请现在不需要新的照片。",
        "This application does not need new photos now.",
    ),
    "resubmit.nothing": (
        "这份申请现在不需要新的照片。",
        "This application does not need new photos.",
    ),
    "notice.resubmitted": (
        "新的照片已提交，审核人员会继续审核。",
        "Your new photos are sent: the office carries on with the review.",
    ),
    "upload.reason.not-refused": (
        "这张照片已通过审核，不需要重新上传。",
        "This photo is accepted: there is no need to send it again.",
    ),
    "refusal.blurred": ("照片模糊", "The photo is blurred"),
    "refusal.glare": ("照片反光，看不清内容", "Glare hides part of the photo"),
    "refusal.cropped": ("照片不完整，有部分被裁掉", "Part of the document is cut off"),
    "refusal.wrong-document": ("上传的不是要求的材料", "This is not the document asked for"),
    "refusal.expired": ("证件已过期", "The document has expired"),
    "refusal.face-not-visible": ("看不清面部", "The face cannot be seen"),
    "refusal.not-original": (
        "不是原件照片（拍摄的是屏幕或复印件）",
        "Not a photo of the original (a photo of a screen or a copy)",
    ),
    "refusal.mismatch": (
        "与填写的信息或其他材料不一致",
        "It does not match the form or the other documents",
    ),
    "refusal.other": ("其他原因（见审核人员的说明）", "Another reason (see the reviewer's note)"),
    # --- order statuses
    "order_status.draft": ("填写中", "Draft"),
    "order_status.awaiting_payment": ("待支付", "Awaiting payment"),
    "order_status.submitted": ("已提交", "Submitted"),
    "order_status.in_review": ("审核中", "In review"),
    "order_status.needs_resubmission": ("需补充材料", "Needs more documents"),
    "order_status.approved": ("审核通过", "Approved"),
    "order_status.rejected": ("未通过", "Rejected"),
    "order_status.in_production": ("制作中", "Being made"),
    "order_status.shipped": ("已寄出", "Sent"),
    "order_status.ready_for_pickup": ("待自取", "Ready to pick up"),
    "order_status.delivery_exception": ("投递异常", "Delivery problem"),
    "order_status.delivered": ("已送达", "Delivered"),
    "order_status.completed": ("已完成", "Completed"),
    "order_status.cancelled": ("已取消", "Cancelled"),
    "order_status.closed_unpaid": ("未支付已关闭", "Closed unpaid"),
    "order_status.discarded": ("已删除", "Discarded"),
    "order_status.closed": ("已关闭", "Closed"),
    "payment_status.created": ("待支付", "Waiting for payment"),
    "payment_status.processing": ("处理中", "Processing"),
    "payment_status.authorised": ("已预授权", "Authorised"),
    "payment_status.failed": ("未成功", "Failed"),
    "payment_status.voided": ("已撤销", "Released"),
    "payment_status.captured": ("已扣款", "Paid"),
    "payment_status.refunded": ("已退款", "Refunded"),
    "timeline.to.draft": ("开始申请", "Application started"),
    "timeline.to.awaiting_payment": ("提交申请，等待支付", "Application sent, waiting for payment"),
    "timeline.to.submitted": ("支付成功，申请已提交", "Paid: application submitted"),
    "timeline.to.in_review": ("开始审核", "Review started"),
    "timeline.to.needs_resubmission": ("需补充材料", "More documents needed"),
    "timeline.to.approved": ("审核通过", "Approved"),
    "timeline.to.rejected": ("审核未通过", "Rejected"),
    "timeline.to.in_production": ("开始制作", "Being made"),
    "timeline.to.shipped": ("已寄出", "Sent by courier"),
    "timeline.to.ready_for_pickup": ("可以自取", "Ready to pick up"),
    "timeline.to.delivery_exception": ("投递异常", "Delivery problem"),
    "timeline.to.delivered": ("已送达", "Delivered"),
    "timeline.to.completed": ("已完成", "Completed"),
    "timeline.to.cancelled": ("申请已取消", "Application cancelled"),
    "timeline.to.closed_unpaid": ("未按时支付，申请已关闭", "Closed: not paid in time"),
    "timeline.to.discarded": ("草稿已删除", "Draft discarded"),
    "timeline.to.closed": ("申请已关闭", "Application closed"),
    "error.too_large_title": ("文件太大", "The file is too large"),
    "error.too_large": (
        "上传的文件超过 {megabytes} MB。请返回选择一张更小的照片。",
        "The file you sent is larger than {megabytes} MB. Go back and choose a smaller photo.",
    ),
    "error.conflict_title": ("现在不能这样做", "This cannot be done now"),
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
