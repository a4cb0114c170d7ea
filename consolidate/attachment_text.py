"""Text and tables of fetched attachments (DOCX, XLSX, XLS, PDF, text; DOC/WPS by a raw scan), read locally.

Files are read from the blob store only: nothing is sent anywhere. Formats are told by their bytes, not by the
name or the server's Content-Type (legacy servers mislabel files). What cannot be read raises Unreadable with the
reason, so the triage lists the file for a person to check instead of passing it silently.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024  # one XML part of a DOCX/XLSX; a zip bomb is far larger
MAX_CELLS = 500_000
MAX_PDF_PAGES = 300
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")


class Unreadable(Exception):
    """An attachment no reader here can take; the message says why."""


@dataclass
class AttachmentText:
    """What was read from a file: its running text, its tables (rows of cell texts), and how it was read."""

    text: str
    tables: list[list[list[str]]] = field(default_factory=list)
    method: str = ""


def read_attachment(data: bytes, name: str = "") -> AttachmentText:
    """The text and tables of an attachment's bytes; Unreadable when its format has no reader here."""
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if data.startswith(b"PK\x03\x04"):
        return _read_zip(data)
    if data.startswith(b"%PDF"):
        return _read_pdf(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return _read_ole(data, name)
    if data.startswith(IMAGE_MAGIC):
        raise Unreadable("an image (no text to read without OCR)")
    if data[:4] in (b"Rar!", b"7z\xbc\xaf") or data[:2] == b"\x1f\x8b":
        raise Unreadable("a compressed archive")
    if b"\x00" in data[:4096]:
        raise Unreadable("an unknown binary format")
    return AttachmentText(_decode_text(data), method="text")


def _decode_text(data: bytes) -> str:
    """Plain text (CSV, TXT, HTML) in whatever encoding it has."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000]).best()
    return str(best) if best is not None else data.decode("utf-8", "replace")


def _read_zip(data: bytes) -> AttachmentText:
    """DOCX or XLSX (OOXML zip packages); other zips are archives."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = set(package.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise Unreadable(f"a damaged zip package ({exc})") from None
    if "word/document.xml" in names:
        return _read_docx(package)
    if "xl/workbook.xml" in names:
        return _read_xlsx(data)
    raise Unreadable("a zip archive (open it and check its files by hand)")


def _xml_part(package: zipfile.ZipFile, name: str) -> ElementTree.Element:
    """One XML part of an OOXML package, refusing one that unpacks absurdly large."""
    info = package.getinfo(name)
    if info.file_size > MAX_UNZIPPED_BYTES:
        raise Unreadable(f"{name} unpacks to more than {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB")
    try:
        return ElementTree.fromstring(package.read(name))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise Unreadable(f"a damaged DOCX ({exc})") from None


def _read_docx(package: zipfile.ZipFile) -> AttachmentText:
    """Paragraph texts and tables of a DOCX main document."""
    root = _xml_part(package, "word/document.xml")
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in root.iter(f"{_W}p")]
    tables = []
    for table in root.iter(f"{_W}tbl"):
        rows = []
        for tr in table.iter(f"{_W}tr"):
            rows.append(["".join(t.text or "" for t in tc.iter(f"{_W}t")) for tc in tr.iter(f"{_W}tc")])
        tables.append(rows)
    return AttachmentText("\n".join(paragraphs), tables, "docx")


def _cell_text(value: object) -> str:
    """A spreadsheet cell as text: whole numbers without '.0' (a mobile stored as a number stays 11 digits)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes) -> AttachmentText:
    """Every sheet's rows of an XLSX workbook (values, never formulas)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for damaged files
        raise Unreadable(f"a damaged XLSX ({type(exc).__name__})") from None
    tables, cells = [], 0
    try:
        for sheet in book.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                if cells > MAX_CELLS:
                    raise Unreadable(f"more than {MAX_CELLS} cells")
                rows.append([_cell_text(v) for v in row])
            tables.append(rows)
    finally:
        book.close()
    return AttachmentText(_tables_text(tables), tables, "xlsx")


def _tables_text(tables: list[list[list[str]]]) -> str:
    """Tables as running text, one row a line, cells separated by tabs."""
    return "\n".join("\t".join(row) for table in tables for row in table)


def _read_ole(data: bytes, name: str) -> AttachmentText:
    """An OLE compound file: XLS through xlrd; DOC/WPS and other OLE files by a raw scan of their text runs."""
    try:
        import xlrd
    except ImportError:  # pragma: no cover - a dependency of the package
        xlrd = None
    if xlrd is not None:
        try:
            book = xlrd.open_workbook(file_contents=data, on_demand=True)
        except Exception:  # noqa: BLE001 - not a workbook: a Word or WPS document
            book = None
        if book is not None:
            return _read_xls(book)
    return _raw_scan(data)


def _read_xls(book: object) -> AttachmentText:
    """Every sheet's rows of an XLS workbook."""
    tables, cells = [], 0
    for index in range(book.nsheets):  # type: ignore[attr-defined]
        sheet = book.sheet_by_index(index)  # type: ignore[attr-defined]
        cells += sheet.nrows * sheet.ncols
        if cells > MAX_CELLS:
            raise Unreadable(f"more than {MAX_CELLS} cells")
        tables.append([[_cell_text(v) for v in sheet.row_values(r)] for r in range(sheet.nrows)])
    return AttachmentText(_tables_text(tables), tables, "xls")


def _raw_scan(data: bytes) -> AttachmentText:
    """The text runs of a binary Word/WPS file: its UTF-16 text (how Word 97+ and WPS store Chinese) and its
    single-byte runs. Good enough to find numbers; tables are not recovered."""
    wide = data.decode("utf-16-le", "ignore")
    narrow = data.decode("latin-1")
    keep = "".join(ch if ch.isprintable() else "\n" for ch in wide)
    return AttachmentText(keep + "\n" + "".join(ch if ch.isprintable() else "\n" for ch in narrow), method="raw")


def _read_pdf(data: bytes) -> AttachmentText:
    """The text layer of a PDF (a scan without one is Unreadable)."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Unreadable("an encrypted PDF")
        pages = reader.pages[:MAX_PDF_PAGES]
        text = "\n".join(page.extract_text() or "" for page in pages)
    except Unreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        raise Unreadable(f"a damaged PDF ({type(exc).__name__})") from None
    if not text.strip():
        raise Unreadable("a PDF without a text layer (a scan: check it by hand)")
    return AttachmentText(text, method="pdf")
