"""Decode fetched HTML bytes to text: BOM, header/meta charsets, detection, never silent mojibake."""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass, field

SNIFF_BYTES = 4096
DETECT_CODECS = ("utf_8", "gb18030", "big5hkscs", "utf_16", "euc_jp", "shift_jis", "euc_kr")
DETECT_BYTES = 200_000

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "gb2312-80": "gb18030", "x-gbk": "gb18030",
    "cp936": "gb18030", "csgb2312": "gb18030", "euc-cn": "gb18030", "gb18030": "gb18030", "chinese": "gb18030",
    "x-euc-cn": "gb18030", "gb_2312": "gb18030", "ms936": "gb18030", "windows-936": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "big5hkscs": "big5hkscs", "cp950": "big5hkscs", "x-big5": "big5hkscs",
    "utf8": "utf-8", "utf-8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
    "iso-8859-1": "iso-8859-1", "latin1": "iso-8859-1", "latin-1": "iso-8859-1", "l1": "iso-8859-1",
    "us-ascii": "ascii", "ascii": "ascii", "utf-16": "utf-16", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be",
}
_PLAIN = frozenset(("utf-8", "iso-8859-1", "ascii", "windows-1252", "cp1252"))
_HEADER_CS = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.I)
_META_CS = re.compile(rb"<meta[^>]{0,500}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.I)
_XML_CS = re.compile(rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9_\-:.]+)", re.I)
_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0", b"Rar!", b"\x1f\x8b",
          b"7z\xbc\xaf", b"BM", b"II*\x00", b"MM\x00*", b"RIFF", b"\x00\x00\x01\x00", b"OggS", b"ID3", b"wOFF")


@dataclass
class DecodedPage:
    """Text of a page, the codec used and what was noticed while decoding."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)
    garbled: str | None = None  # why the text is wrong though it decoded (a multi-byte decoder out of step)


def normalize_charset(name: str | None) -> str | None:
    """Canonical codec name for a declared charset (GB family → gb18030, Big5 → big5hkscs); None if unknown."""
    if not name:
        return None
    key = name.strip().strip("\"'").lower()
    for variant in (key, key.replace("_", "-")):
        if variant in _ALIASES:
            return _ALIASES[variant]
    key2 = key.replace("-", "")
    for alias, codec in _ALIASES.items():
        if alias.replace("-", "").replace("_", "") == key2:
            return codec
    try:
        info = codecs.lookup(key)
    except (LookupError, ValueError):
        return None
    found = info.name
    return _ALIASES.get(found, "windows-1252" if found == "cp1252" else found)


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, as declared."""
    if not content_type:
        return None
    match = _HEADER_CS.search(content_type[:1000])
    return match.group(1) if match else None


def meta_charset(head: bytes) -> str | None:
    """The charset declared by <meta charset>, http-equiv Content-Type or an XML declaration."""
    chunk = head[:SNIFF_BYTES]
    match = _META_CS.search(chunk) or _XML_CS.search(chunk)
    return match.group(1).decode("ascii", "replace") if match else None


def _strict(body: bytes, codec: str) -> str | None:
    """Decode strictly, None on any error."""
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


_CONTROL_BYTES = bytes((*range(9), *range(14, 32)))  # control characters no text page holds (not tab … CR)


def _looks_binary(body: bytes) -> bool:
    """True for known binary signatures or a head full of NUL/control bytes."""
    head = body[:8192]
    if head.startswith(_MAGIC):
        return True
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # the bytes below 9 and 14…31, counted in C
    return head.count(0) > 0 and controls / len(head) > 0.02 or controls / len(head) > 0.1


def _detect(body: bytes) -> str | None:
    """Best guess from charset-normalizer, mapped to our codec names."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:DETECT_BYTES], cp_isolation=list(DETECT_CODECS)).best()
    except Exception:
        return None
    if best is None:
        return None
    return normalize_charset(best.encoding) or best.encoding


def _replace_decode(body: bytes, codec: str, warnings: list[str]) -> DecodedPage:
    """Decode with replacement characters and say so; a GB page whose decoder fell out of step is garbled."""
    try:
        text = body.decode(codec, errors="replace")
    except LookupError:
        codec, text = "utf-8", body.decode("utf-8", errors="replace")
    warnings.append("undecodable bytes replaced")
    garbled = None
    if codec == "gb18030":
        stretches = out_of_step(text)
        if stretches:
            garbled = (f"{text.count(chr(0xFFFD))} undecodable bytes threw the {codec} decoder out of step: "
                       f"{stretches} stretch(es) of wrong characters")
    return DecodedPage(text, codec, warnings, garbled)


DESYNC_WINDOW = 8  # characters judged together
DESYNC_LOW = 0.5  # at most this share of common characters: suspicious
DESYNC_HIGH = 0.75  # read one byte later, at least this share: the decoder was out of step
_CJK_RUN = re.compile(f"[^\\x00-\\x7f\\ufffd]{{{DESYNC_WINDOW},}}")


@functools.cache
def _common_gb() -> frozenset[str]:
    """The 3,755 level-1 hanzi of GB 2312 and its punctuation rows: what nearly all Chinese text is made of."""
    chars = set()
    for lead in (0xA1, 0xA3, *range(0xB0, 0xD8)):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def _common_share(text: str, common: frozenset[str]) -> float:
    """Share of the characters of `text` that are common ones."""
    return sum(1 for char in text if char in common) / len(text) if text else 1.0


def out_of_step(text: str, codec: str = "gb18030") -> int:
    """Stretches of GB text a double-byte decoder read out of step (a stray or lost byte pairs every following
    byte wrongly: valid but wrong characters, mostly rare ones, until the next ASCII byte). A stretch counts when
    its characters are mostly rare and the same bytes read one byte later are mostly common."""
    common = _common_gb()
    found = 0
    for run in _CJK_RUN.finditer(text):
        chars = run.group()
        last = len(chars) - DESYNC_WINDOW
        for start in [*range(0, last, DESYNC_WINDOW // 2), last]:  # half-overlapping, the last one at the end
            window = chars[start:start + DESYNC_WINDOW * 2]
            if _common_share(window[:DESYNC_WINDOW], common) > DESYNC_LOW:
                continue
            shifted = window.encode(codec, errors="replace")[1:].decode(codec, errors="replace").rstrip("\ufffd")
            if len(shifted) >= DESYNC_WINDOW // 2 and _common_share(shifted, common) >= DESYNC_HIGH:
                found += 1
                break
    return found


def _from_bom(body: bytes) -> DecodedPage | None:
    """Decode by byte-order mark, if there is one."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            payload = body[len(bom):]
            text = _strict(payload, codec)
            if text is not None:
                return DecodedPage(text, codec, [])
            return _replace_decode(payload, codec, [])
    return None


def _pick_declared(body: bytes, header: str | None, meta: str | None, warnings: list[str]) -> DecodedPage | None:
    """Choose between header and meta charsets by strict decodability; None if neither works."""
    if header and meta and header != meta:
        order = [meta, header] if header in _PLAIN else [header, meta]
        decoded = [(cs, _strict(body, cs)) for cs in order]
        ok = [(cs, text) for cs, text in decoded if text is not None]
        if any(cs == "utf-8" for cs, _ in ok) and not body.isascii():
            ok = [(cs, text) for cs, text in ok if cs == "utf-8"]
        if ok:
            used, text = ok[0]
            warnings.append(f"charset conflict: header={header} meta={meta} used={used}")
            return DecodedPage(text, used, warnings)
        warnings.append(f"charset conflict: header={header} meta={meta} used=none")
        return None
    declared = header or meta
    if not declared:
        return None
    text = _strict(body, declared)
    if text is not None:
        return DecodedPage(text, declared, warnings)
    return None


def _near_miss(body: bytes, codec: str) -> bool:
    """True when a declared codec fails only on a handful of bytes (a broken character or two)."""
    try:
        text = body.decode(codec, errors="replace")
    except LookupError:
        return False
    return text.count("\ufffd") <= max(2, len(body) // 2000)


def decode_html(body: bytes, content_type: str | None) -> DecodedPage:
    """Decode an HTML response body: BOM, then declared charsets, then detection, then replacement."""
    if not isinstance(body, bytes | bytearray | memoryview):
        return DecodedPage("", "utf-8", ["not bytes"])
    body = bytes(body)
    if not body:
        return DecodedPage("", "utf-8", [])
    page = _from_bom(body)
    if page is not None:
        return page
    warnings: list[str] = []
    header_raw = header_charset(content_type)
    meta_raw = meta_charset(body)
    header, meta = normalize_charset(header_raw), normalize_charset(meta_raw)
    for raw, norm in ((header_raw, header), (meta_raw, meta)):
        if raw and not norm:
            warnings.append(f"unknown charset {raw[:40]}")
    if header not in ("utf-16", "utf-16-le", "utf-16-be") and _looks_binary(body):
        return DecodedPage("", "binary", ["not text"])
    page = _pick_declared(body, header, meta, warnings)
    if page is not None:
        return page
    declared = [cs for cs in (header, meta) if cs]
    for cs in declared:
        if _near_miss(body, cs):
            warnings.append(f"declared charset {cs} failed strict decoding")
            return _replace_decode(body, cs, warnings)
    if declared:
        warnings.append(f"declared charset {'/'.join(declared)} failed strict decoding")
    text = _strict(body, "utf-8")
    if text is not None:
        return DecodedPage(text, "utf-8", warnings)
    guess = _detect(body)
    if guess:
        text = _strict(body, guess)
        if text is not None:
            warnings.append(f"charset detected: {guess}")
            return DecodedPage(text, guess, warnings)
    return _replace_decode(body, _least_damage(body, [guess, *declared, "utf-8", "gb18030"]), warnings)


def _least_damage(body: bytes, codecs_: list[str | None]) -> str:
    """The codec producing the fewest replacement characters."""
    best, best_bad = "utf-8", None
    for codec in codecs_:
        if not codec:
            continue
        try:
            bad = body.decode(codec, errors="replace").count("\ufffd")
        except LookupError:
            continue
        if best_bad is None or bad < best_bad:
            best, best_bad = codec, bad
    return best
