"""The page-text check: a Chinese page holds no English words and an English page
no Chinese, other than what is not the page's own words.

Run over every page a browser test loads (see conftest.py). What is not the
page's own words is marked in the markup, as the standards mean it:
- `lang="…"` on an element whose text is in another language than the page's
  (the language switcher's "English"; WCAG 3.1.2, language of parts);
- `translate="no"` on text that is no language at all or is the applicant's
  own: names, addresses, references, waybill numbers, approval references,
  chat messages, anything a person typed.
Besides those, tokens that hold a digit (LT20261204…, EA…CN, C1), e-mail
addresses and the few Latin names Chinese readers use as they are (EMS) are
allowed, and so is a lone letter (the X that may end an ID number).
"""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext

# Runs in every page as it loads and hands the page's own words to the test:
# the text a reader sees and hears, without the parts marked as not the page's.
REPORTER = """
document.addEventListener('DOMContentLoaded', () => {
  if (!document.body || typeof window.__pageText !== 'function') return;
  const root = document.body.cloneNode(true);
  const pageLang = (document.documentElement.lang || '').toLowerCase().slice(0, 2);
  root.querySelectorAll('script, style, template, [translate="no"]').forEach(e => e.remove());
  root.querySelectorAll('[lang]').forEach(e => {
    if (e.getAttribute('lang').toLowerCase().slice(0, 2) !== pageLang) e.remove();
  });
  const attributes = ['aria-label', 'title', 'alt', 'placeholder'];
  const labels = Array.from(root.querySelectorAll('[aria-label], [title], [alt], [placeholder]'))
    .map(e => attributes.map(a => e.getAttribute(a)).filter(Boolean).join(' '));
  window.__pageText({url: location.pathname + location.search, lang: pageLang,
                     text: document.title + ' ' + root.textContent + ' ' + labels.join(' ')});
});
"""

# Two letters or more: a lone letter is a symbol (the X that ends some ID numbers).
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
NOT_WORDS = re.compile(
    r"[\w.+*-]+@[\w-]+(\.[\w-]+)+"  # e-mail addresses, masked ones too
    r"|https?://\S+"
    r"|\b[\w-]*\d[\w-]*\b"  # anything holding a digit: references, waybills, C1
)
# Names Chinese readers use as they are: the postal courier, file formats, sizes.
ALLOWED_ON_CHINESE = {"EMS", "PDF", "SVG", "QR", "JPEG", "PNG", "MB", "CSV"}
# What the tests type as applicants and staff (names, addresses, comments), which
# pages show as typed in either language: the allow-list for user-entered text;
# and the place names the sandbox courier reports, shown as the courier gives them.
TYPED_BY_THE_TESTS = (
    "济南",
    "青岛",
    "张三",
    "张**",
    "张",
    "山东省",
    "青岛市",
    "市南区",
    "香港中路",
    "号",
    "办得很快",
    "第二天就收到了",
    "已补制新证并寄出",
    "快递盒破损",
    "电话联系了申请人",
    "驾驶证有折痕",
)


def foreign_words(seen: dict[str, str]) -> list[str]:
    """The words of one reported page that are not in its language (empty: all is well)."""
    text = NOT_WORDS.sub(" ", seen["text"])
    for typed in sorted(TYPED_BY_THE_TESTS, key=len, reverse=True):  # 青岛市 before 青岛
        text = text.replace(typed, " ")
    if seen["lang"] == "zh":
        return sorted({w for w in LATIN_WORD.findall(text) if w not in ALLOWED_ON_CHINESE})
    if seen["lang"] == "en":
        return sorted(set(HAN.findall(text)))
    return [f"<html lang={seen['lang']!r}>: the page does not say its language"]


class PageTextCheck:
    """Collects every page a browser context loads; `problems()` lists the foreign words."""

    def __init__(self) -> None:
        self.pages: list[dict[str, str]] = []

    def watch(self, context: BrowserContext) -> None:
        context.expose_binding("__pageText", lambda _source, seen: self.pages.append(seen))
        context.add_init_script(REPORTER)

    def problems(self) -> list[str]:
        found = []
        for seen in self.pages:
            words = foreign_words(seen)
            if words:
                found.append(f"{seen['url']} ({seen['lang']}): {', '.join(words[:30])}")
        return sorted(set(found))
