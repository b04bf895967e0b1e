"""What a site page may contain: executed notebooks are untrusted, so nothing in them runs.

A run folder can come from anyone (a nightly artifact, a colleague's zip), and an
executed notebook can carry ``<script>`` outputs, ``Javascript`` outputs,
``on*=`` handlers or ``javascript:`` links.  Jupyter itself shows such a
notebook as untrusted and runs none of it; the site does the same, twice over:

* every page body goes through :func:`page_body`: bleach (the sanitiser
  nbconvert's own ``SanitizeHTML`` uses) with an allow-list of what nbconvert's
  lab template writes (cells, prompts, highlighted code, tables, headings with
  anchors, ``data:`` images), inline ``style`` attributes limited to bleach's
  CSS property list; scripts, handlers, forms, frames, SVG, MathML and every
  URL scheme but http(s), mailto and ``data:image/...`` pictures are removed;
* :func:`drop_script_outputs` removes ``Javascript`` outputs before rendering
  (their text or HTML representation is shown instead, sanitised);
* the widget state and view blocks (``<script type="application/vnd.jupyter.
  widget-state+json">``) are data, not code: they are parsed as JSON, written
  back with ``<`` escaped so they cannot close their element, and kept for the
  site's widget renderer;
* every page carries :data:`CONTENT_SECURITY_POLICY` (:func:`csp_meta`): scripts
  only from the site's own files (``'self'``: the widget renderer, the search),
  no inline script or handler, no request leaving the site.  Should a sanitiser
  bug let markup through, the browser still runs nothing.
"""

from __future__ import annotations

import html
import json
import re
import secrets

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
SCRIPT_MIME_TYPES = frozenset({"application/javascript", "text/javascript", "application/x-javascript",
                               "application/ecmascript", "text/ecmascript"})
WIDGET_DATA_TYPES = ("application/vnd.jupyter.widget-state+json", "application/vnd.jupyter.widget-view+json")
DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.IGNORECASE)
URL_NOISE = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+")

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "main", "mark", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})
COMMON_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir", "tabindex", "role", "style",
                               "data-mime-type", "data-type"})
TAG_ATTRIBUTES = {
    "a": {"href", "name", "rel"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "ol": {"start", "type"},
    "details": {"open"},
}
PROTOCOLS = frozenset({"http", "https", "mailto", "data"})

_DATA_BLOCK = re.compile(
    r"<script\s+type=[\"'](?P<type>application/vnd\.jupyter\.widget-(?:state|view)\+json)[\"']\s*>"
    r"(?P<json>.*?)</script\s*>",
    re.IGNORECASE | re.DOTALL,
)
_PICTURE_SRC = re.compile(
    r"(?P<attr>\bsrc\s*=\s*)([\"'])(?P<uri>data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*)\2", re.IGNORECASE
)
_INVISIBLE_CONTENT = re.compile(r"<(script|style|template|noscript)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BODY = re.compile(r"<body\b[^>]*>(?P<inside>.*)</body\s*>", re.IGNORECASE | re.DOTALL)
_HEAD_STYLE = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL)
_HEAD = re.compile(r"<head\b[^>]*>(?P<inside>.*?)</head\s*>", re.IGNORECASE | re.DOTALL)


def csp_meta() -> str:
    """The ``<meta>`` element that puts :data:`CONTENT_SECURITY_POLICY` on a page (first thing in ``<head>``)."""
    return f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CONTENT_SECURITY_POLICY)}">'


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name not in COMMON_ATTRIBUTES and name not in TAG_ATTRIBUTES.get(tag, ()):
        return False
    if name in ("href", "src"):
        plain = URL_NOISE.sub("", value)
        is_data = plain.lower().startswith("data:")
        return not is_data or (tag == "img" and name == "src" and DATA_IMAGE.match(plain) is not None)
    return True


def _cleaner():
    from bleach.css_sanitizer import CSSSanitizer
    from bleach.sanitizer import Cleaner

    return Cleaner(tags=TAGS, attributes=_allowed_attribute, protocols=PROTOCOLS, strip=True,
                   strip_comments=True, css_sanitizer=CSSSanitizer())


def fragment(markup: str) -> str:
    """``markup`` with everything that could run (or leave the site) removed; the rest kept as it renders.

    Embedded pictures (``src="data:image/png;base64,..."``, most of a page's bytes) are set aside while the
    sanitiser parses the rest and put back afterwards: base64 text cannot be markup, and a page is parsed
    several times faster.
    """
    token = f"dlwp-picture-{secrets.token_hex(8)}-"
    pictures: list[str] = []

    def set_aside(match: re.Match) -> str:
        pictures.append(match["uri"])
        return f'{match["attr"]}"{token}{len(pictures) - 1}"'

    markup = _PICTURE_SRC.sub(set_aside, _INVISIBLE_CONTENT.sub("", markup))
    clean = _cleaner().clean(markup)
    return re.sub(r'(?<=\bsrc=")' + re.escape(token) + r'(\d+)(?=")', lambda m: pictures[int(m[1])], clean)


def data_block(kind: str, text: str) -> str:
    """A widget data block written back safely: valid JSON, ``<`` escaped (it cannot end its element)."""
    payload = json.dumps(json.loads(text), separators=(",", ":"))
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="{kind}">{payload}</script>'


def page_body(document: str) -> str:
    """The sanitised inside of an nbconvert document's ``<body>``, its widget data blocks kept.

    View blocks stay where their output was; the state block (which nbconvert
    writes after ``</body>``) ends the body.  A block that is not JSON is dropped.
    """
    token = f"dlwp-widget-data-{secrets.token_hex(8)}-"
    kept: list[str] = []
    state: list[str] = []

    def keep(match: re.Match) -> str:
        try:
            block = data_block(match["type"].lower(), match["json"])
        except ValueError:
            return ""
        if match["type"].lower().endswith("state+json"):
            state.append(block)
            return ""
        kept.append(block)
        return f"{token}{len(kept) - 1}."

    without_data = _DATA_BLOCK.sub(keep, document)
    found = _BODY.search(without_data)
    inside = found["inside"] if found else without_data
    clean = fragment(inside)
    # Only where the token is text (the sanitiser escapes "<" in attribute values and ">" in text): a block
    # that stood inside an attribute of hostile markup stays the harmless token text.
    clean = re.sub(re.escape(token) + r"(\d+)\.(?=[^<>]*(?:<|$))", lambda m: kept[int(m[1])], clean)
    return clean + "".join(state)


def page_styles(document: str) -> str:
    """The ``<style>`` elements of an nbconvert document's ``<head>``: the template's CSS (notebook content never goes there)."""
    head = _HEAD.search(document)
    return "".join(_HEAD_STYLE.findall(head["inside"])) if head else ""


def drop_script_outputs(notebook) -> int:
    """Remove ``Javascript`` representations from every output (in place); how many were removed.

    The output's other representations (HTML, text, images) are rendered instead.
    """
    removed = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data")
            if isinstance(data, dict):
                for mime in [key for key in data if key.lower() in SCRIPT_MIME_TYPES]:
                    del data[mime]
                    removed += 1
    return removed
