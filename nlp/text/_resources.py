"""Regular expressions and tables shared by the normalisation steps."""

from __future__ import annotations

import re

# --- HTML -------------------------------------------------------------------------------------
# Attribute runs are `[^<>]*`, never `[^>]*`: a scan then stops at the next "<", so a text full of
# unclosed "<p" costs linear time, not a rescan to the end of the text per "<".
RE_HTML_HINT = re.compile(r"</?(?:p|div|br|span|a|html|body|article|section|li|ul|h[1-6]|table|td|tr|img|strong|em|b|i)\b[^<>]*>", re.I)
# One tag at a given position (used with ``.match(text, pos)``); group 1 is the tag name.
RE_TAG_AT = re.compile(r"</?([A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*)?/?>")
# Tags whose content is not text: the element goes as a whole, up to its closing tag.
RAW_TEXT_TAGS = frozenset({"script", "style", "noscript", "template"})
# Tags that end a line of text: replaced by a newline so that paragraphs stay apart.
BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article",
    "header", "footer", "blockquote", "pre", "hr",
})
RE_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# --- boilerplate --------------------------------------------------------------------------------
# Markdown images and empty links left by scrapers: "![]()", "[](...)".
RE_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
# Whole lines that are web furniture. Short lines only: a real sentence that happens to contain
# "评论" or "share" is longer than a button label.
_SHORT_PROMPTS = (
    r"share(?: (?:to|on|via) \w+)?|tweet|email|print|comments?|reply|like|follow(?: us)?(?: on \w+)?|"
    r"subscribe(?: now)?|sign (?:up|in)|log ?in|read more|more|click here|advertisement|ad|sponsored|"
    r"related(?: articles?| stories| news)?|recommended|most read|back to top|skip to (?:main )?content|"
    r"分享(?:到\S*)?|转发|轉發|评论|評論|点赞|點讚|收藏|举报|舉報|取消|确定|確定|相关文章|相關文章|"
    r"相关标签|相關標籤|相关阅读|相關閱讀|延伸阅读|延伸閱讀|推荐阅读|推薦閱讀|猜你喜欢|猜你喜歡|"
    r"热门推荐|熱門推薦|返回顶部|返回頂部|查看更多|点击查看更多|點擊查看更多|展开全文|展開全文|阅读全文|閱讀全文|"
    r"没有更多评论了|沒有更多評論了|我来说两句.*|我來說兩句.*|登录后才可以发布评论.*|打开.{0,12}参与讨论|"
    r"打开小程序.*|下载APP|下載APP|扫码.*|掃碼.*|关注我们|關注我們"
)
RE_PROMPT_LINE = re.compile(rf"^[ \t\u3000]*(?:\d+[ \t]*)?(?:{_SHORT_PROMPTS})[ \t\u3000]*[:：]?[ \t\u3000]*$", re.I | re.M)
# Lines that are a path or a file name: "index_new5.html", "../../tpl/x.html".
RE_PATH_LINE = re.compile(r"^[ \t]*(?:\.{1,2}/)*[\w.-]+(?:/[\w.-]+)*\.(?:s?html?|php|aspx?|jsp|js|css)[ \t]*$", re.I | re.M)
# Lines that are only a URL, or "label: URL" (social links, "Telegram 訂閱群:https://...").
RE_URL_LINE = re.compile(r"^[^\n]{0,40}?[:：]?[ \t]*(?:https?://|www\.)\S+[ \t]*$", re.I | re.M)
# Licence and registration numbers, copyright notices. Short lines only, and only the notice
# forms: a news sentence about an exploration licence or about copyright holders is content.
RE_LEGAL_LINE = re.compile(
    r"^(?=[^\n]{0,100}$)[^\n]*?(?:ICP[备備证證]|公[网網]安[备備]|增值电信业务经营许可证|增值電信業務經營許可證|"
    r"[许許]可[证證][号號編编]\s*[:：]?\s*\S*\d|版权所有|版權所有|copyright\s*(?:©|\(c\)|\d{4})|©|"
    r"all rights reserved\.?\s*$|不得转载|不得轉載|未经授权不得|未經授權不得)[^\n]*$",
    re.I | re.M,
)
# Social-channel promos: "Twitter 官方帳號: ...", "欢迎加入...社群", "关注微信公众号: xxx".
RE_SOCIAL_LINE = re.compile(
    r"^(?=[^\n]{0,90}$)[^\n]{0,30}?(?:欢迎加入|歡迎加入|官方社群|微信公众号|微信公眾號|公众号|公眾號|官方帳號|官方账号|"
    r"follow us on|join our (?:telegram|discord))[^\n:：]{0,12}(?:[:：@]|https?://)[^\n]*$",
    re.I | re.M,
)
# Credits a wire or aggregator prepends: "責任編輯:xxx", "编辑：xxx", "撰文：", "編譯：".
RE_CREDIT_LINE = re.compile(r"^[ \t]*(?:责任编辑|責任編輯|编辑|編輯|撰文|编译|編譯|来源|來源|作者)[ \t]*[:：|][^\n]{0,40}$", re.M)
# Section tags an RSS feed glues to the end of a summary ("...bankruptcy caseArtificial
# intelligence, Technology sector"): FT section names (facts, as the feed prints them). A list is
# cut only at the very end of the text and only when every item is a known tag: glued to the word
# before it, where no sentence would put it, or after a space when two or more tags follow.
SECTION_TAGS = (
    "Artificial intelligence", "Technology sector", "Investments", "Global trade", "Geopolitics", "Global economy",
    "US economy", "Markets", "Companies", "Equities", "Private equity", "Semiconductors", "Banks",
    "Financial services", "Energy sector", "Chinese business & finance", "Trade disputes", "US politics & policy",
)
_TAG = "|".join(re.escape(t) for t in sorted(SECTION_TAGS, key=len, reverse=True))
RE_SECTION_TAGS = re.compile(
    rf"(?:(?<=[a-z0-9.,;:!?%)’”\"'。！？」])(?:{_TAG})(?:,[ \t]*(?:{_TAG}))*|(?<=\S)[ \t]+(?:{_TAG})(?:,[ \t]*(?:{_TAG}))+)[ \t]*\Z"
)

# --- whitespace -----------------------------------------------------------------------------------
RE_CRLF = re.compile(r"\r\n?")
RE_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
RE_HSPACE_RUN = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f]")
RE_SPACE_AROUND_NL = re.compile(r"[ \t]+\n|\n[ \t]+")
RE_BLANK_LINES = re.compile(r"\n{3,}")

# --- width folding ------------------------------------------------------------------------------
# Full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space fold one for one, so the
# step keeps every offset. NFKC would also fold them but expands other characters ("㈱" -> "(株)").
FULLWIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0x00A0: 0x20}
