"""Deterministic small binary files: images, attachments and static assets served by the fleet."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "css": "text/css",
    "js": "application/javascript",
}


def _digest(key: str) -> bytes:
    """Stable pseudo-random bytes derived from a key."""
    return hashlib.sha256(key.encode("utf-8")).digest()


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def png(key: str) -> bytes:
    """A valid 4x3 RGB PNG whose colours derive from the key."""
    seed = _digest(key)
    width, height = 4, 3
    rows = b"".join(b"\x00" + seed[row * 12:row * 12 + 12] for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows, 9)) + _png_chunk(b"IEND", b""))


def gif(key: str) -> bytes:
    """A valid 1x1 GIF89a whose palette derives from the key."""
    palette = _digest(key)[:6]
    return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + palette
            + b"\x21\xf9\x04\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b")


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    """A JPEG marker segment with its length field."""
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg(key: str) -> bytes:
    """A valid 8x8 baseline greyscale JPEG (flat grey) carrying the key in a comment segment."""
    huff_one_symbol = bytes([1] + [0] * 15) + b"\x00"
    parts = [
        b"\xff\xd8",
        _jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        _jpeg_segment(0xFE, key.encode("utf-8")[:200]),
        _jpeg_segment(0xDB, b"\x00" + b"\x01" * 64),
        _jpeg_segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"),
        _jpeg_segment(0xC4, b"\x00" + huff_one_symbol),
        _jpeg_segment(0xC4, b"\x10" + huff_one_symbol),
        _jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
        b"\x3f",
        b"\xff\xd9",
    ]
    return b"".join(parts)


def pdf(key: str) -> bytes:
    """A minimal valid one-page PDF with a correct xref table."""
    return pdf_saying("Linjiang sample attachment " + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16])


def pdf_saying(text: str) -> bytes:
    """A minimal valid one-page PDF whose text layer says `text` (ASCII), with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def ole(key: str) -> bytes:
    """An OLE2-looking binary (legacy .doc/.xls): compound-file magic plus deterministic sectors."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:34] = b"\x3e\x00\x03\x00\xfe\xff\x09\x00\x06\x00"
    seed = _digest(key)
    filler = (seed * 48)[:1024]
    return bytes(header) + filler


def ooxml(key: str, kind: str) -> bytes:
    """A small, deterministic zip container shaped like a .docx/.xlsx (or plain .zip)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _ooxml_members(key, kind):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def _ooxml_members(key: str, kind: str) -> list[tuple[str, bytes]]:
    """Member files of the zip container."""
    note = f"sample {kind} {hashlib.sha1(key.encode('utf-8')).hexdigest()}".encode()
    if kind == "zip":
        return [("readme.txt", note)]
    main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
    types = b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    return [("[Content_Types].xml", types), (main, b"<?xml version=\"1.0\"?><root>" + note + b"</root>")]


def make(kind: str, key: str) -> bytes:
    """Bytes of a file of the given kind (extension), deterministic in the key."""
    if kind == "png":
        return png(key)
    if kind == "gif":
        return gif(key)
    if kind == "jpg":
        return jpeg(key)
    if kind == "pdf":
        return pdf(key)
    if kind in ("doc", "xls"):
        return ole(key)
    if kind in ("docx", "xlsx", "zip"):
        return ooxml(key, kind)
    raise ValueError(f"unknown blob kind {kind!r}")
