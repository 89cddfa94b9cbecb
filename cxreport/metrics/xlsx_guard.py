"""An .xlsx file looked at before the spreadsheet reader sees it: what kind of file it is, its sheets, and its safety.

An .xlsx is a zip of XML parts. The reader (calamine, inside fastexcel) trusts what it is given: it
unpacks a part as far as it goes, reserves memory for the count of strings a part declares, and lays
out every cell between the first and the last as one block. So before it runs, this module:

- tells an old binary workbook (.xls) and a password-protected one (both OLE compound files) and a
  file that is no zip at all from a workbook, each with its own message;
- refuses a zip bomb: more than MAX_MEMBERS parts, more than MAX_UNPACKED bytes unpacked in all
  (declared), a part over BIG_PART bytes that packs more than MAX_RATIO times, or a part that unpacks
  to more than it declares (checked while unpacking every part the reader will read);
- refuses XML with a DTD (`<!DOCTYPE`, `<!ENTITY`) anywhere in those parts: Excel never writes one, and
  refusing it means an entity is never expanded (billion laughs) nor fetched (external entities);
- refuses a sheet whose cells span more than MAX_CELLS places (a cell at A1 and one at XFD1048576 would
  make the reader reserve 17 billion), and shared strings that declare more strings than their part can hold.

The same unpacking pass notes what the reader cannot give back: error cells (`#N/A`) and cells typed as
ISO dates (`t="d"`), with their positions, whether any text cell reads like a date and time, and which
columns hold a boolean cell; and it keeps the first HEAD bytes of the sheet and of the shared strings, and the
small parts read whole, from which xlsx.py makes a copy of the workbook cut after its header rows.

Its cost is one unpacking of the sheet and the shared strings (zlib, about 700 MB/s) and a few regular
expressions that each start with a literal, which Python scans for at memory speed: for a 200,000-row
sheet (86 MB of XML) about a third of a second, a quarter of the reader's own read.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import unescape

MAX_MEMBERS = 10_000
MAX_UNPACKED = 1 << 30  # 1 GiB: all parts together, as declared, and any one part as unpacked
BIG_PART = 16 << 20  # a part over 16 MiB unpacked ...
MAX_RATIO = 100  # ... may not pack more than 100 times (a real sheet packs 5 to 20 times)
MAX_CELLS = 30_000_000  # places between a sheet's first and last cell (the reader lays out 32 bytes for each, twice)
SMALL_SHEET = 8 << 20  # a sheet part under 8 MiB has its cell span measured exactly
CHUNK = 1 << 20
HEAD = 1 << 20  # the bytes of the sheet and of the shared strings kept for the header rows' copy

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
SAVE_HINT = "open it in Excel and save it as .xlsx (Excel Workbook), or export the sheet as CSV"

# what the unpacking pass looks for in the sheet and the shared strings
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
# a boolean, error or ISO date cell, a formula's text result, or an inline text (a cell typed t="inlineStr", as
# every writer types one: an <is> in a cell typed otherwise, which calamine reads as text too, is not looked for)
_TYPED_CELL = re.compile(rb't="(?:[bed]"|str"|inlineStr")')
_FAR_REF = re.compile(rb'r="(?:[A-Z]{3}[0-9]|[A-Z]{1,2}[0-9]{7})')  # column AAA on, or row 1,000,000 on
_ANY_REF = re.compile(rb'<c [^>]*?r="([A-Z]{1,3})([0-9]{1,10})"')
_DATETIME_TEXT = re.compile(rb"<t(?: [^>]*)?>[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
_ATTR = re.compile(rb'([A-Za-z:]+)="([^"]*)"')
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})[0-9]')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_SST_COUNT = re.compile(rb'<(?:\w+:)?sst\b[^>]*?\buniqueCount="([0-9]+)"')


class SheetRefused(Exception):
    """The workbook or sheet cannot be read. Attributes: code (a problems.CODES code), message, hint,
    on_sheet (True when the problem is the `sheet:` value, e.g. no such sheet: reported at site.yml's `sheet:` key;
    False when it is the file itself: reported at the file)."""

    def __init__(self, code: str, message: str, hint: str = "", on_sheet: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.on_sheet = on_sheet


@dataclass(frozen=True)
class Patch:
    """A cell the reader gives as empty or as raw text: an error cell's text, or an ISO date cell's text and date."""

    row: int  # 1-based, as Excel shows it
    col: int  # 1-based: A is 1
    text: str
    date: str | None = None  # yyyy-mm-dd when the cell is a date


@dataclass
class Inspection:
    """What the look at a workbook found: the sheet to read and what its reader cannot tell."""

    sheet: str
    sheets: list[str]
    patches: list[Patch] = field(default_factory=list)
    datetime_texts: bool = False  # a text cell reads `yyyy-mm-dd hh:mm:ss`, as the reader writes a date cell
    # the columns (1-based; 0: a cell without a reference) holding a boolean cell, which the reader reads as 1 or
    # 0 in a column of numbers
    booleans: set[int] = field(default_factory=set)
    part: str | None = None  # the sheet's part
    strings_part: str | None = None  # the shared strings' part, when the workbook has one
    head: bytes = b""  # the first HEAD bytes of the sheet's part
    strings_head: bytes = b""  # the first HEAD bytes of the shared strings
    parts: dict[str, bytes] = field(default_factory=dict)  # the small parts the reader reads besides these


def refuse(message: str, hint: str = SAVE_HINT) -> SheetRefused:
    return SheetRefused("xlsx-refused", message, hint)


def inspect_workbook(path: Path, sheet: str | int | None) -> Inspection:
    """Give the sheet to read and what the reader cannot tell about it, or raise SheetRefused."""
    with path.open("rb") as f:
        magic = f.read(8)
    if magic == OLE_MAGIC:
        raise _ole_refusal(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise SheetRefused(
            "xlsx-not-a-workbook",
            "the file is not an Excel workbook: an .xlsx file is a zip archive, and this one is not",
            "export the sheet from Excel as .xlsx (Excel Workbook) or as CSV",
        ) from err
    with archive:
        _check_directory(archive)
        workbook, parts = _workbook_parts(archive)
        names = [name for name, _ in parts]
        name, part = _choose_sheet(parts, sheet)
        found = Inspection(sheet=name, sheets=names, part=part)
        for other in _parts_read_with_the_sheet(archive, workbook):
            found.parts[other] = _read_small(archive, other)
        if part is not None:
            _scan_sheet(archive, part, found)
        if "xl/sharedStrings.xml" in archive.NameToInfo:
            found.strings_part = "xl/sharedStrings.xml"
            _scan_shared_strings(archive, found.strings_part, found)
        return found


def _ole_refusal(path: Path) -> SheetRefused:
    """Tell a password-protected workbook (an encrypted OOXML package in an OLE file) from an .xls one."""
    encrypted = False
    with path.open("rb") as f:
        tail = b""
        while chunk := f.read(CHUNK):
            if ENCRYPTION_INFO in tail + chunk:
                encrypted = True
                break
            tail = chunk[-len(ENCRYPTION_INFO) :]
    if encrypted:
        return SheetRefused(
            "xlsx-encrypted",
            "the workbook is protected with a password, so it cannot be read",
            "open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password), "
            "and save it as .xlsx or export the sheet as CSV",
        )
    return SheetRefused(
        "xlsx-old-format",
        "the file is an old Excel workbook (.xls, Excel 97-2003), which cxreport does not read",
        SAVE_HINT,
    )


def _check_directory(archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose directory declares too many parts, too many bytes, or a part that packs too well."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise refuse(f"the workbook holds {len(infos):,} parts, more than the {MAX_MEMBERS:,} cxreport reads")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED:
        raise refuse(f"the workbook unpacks to {total / 2**20:,.0f} MB, more than the {MAX_UNPACKED >> 20:,} MB cxreport reads")
    for info in infos:
        if info.flag_bits & 0x1:
            raise SheetRefused("xlsx-encrypted", "the workbook's zip archive is encrypted, so it cannot be read", SAVE_HINT)
        if info.file_size > BIG_PART and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise refuse(
                f"the workbook's part '{info.filename}' unpacks to {info.file_size / info.compress_size:,.0f} times "
                f"its packed size (a zip bomb?), more than the {MAX_RATIO} times cxreport reads"
            )


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    """Give a small part's bytes, checked for a DTD and for its declared size."""
    return b"".join(_chunks(archive, name))


def _chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """Give a part's bytes chunk by chunk, refusing one that unpacks to more than it declares or holds a DTD."""
    info = archive.getinfo(name)
    tail = b""
    try:
        for chunk in _unpacked(archive, info):
            # the chunk, and where it meets the last one (no copy of the whole chunk)
            if _DTD.search(chunk) or _DTD.search(tail + chunk[:16]):
                raise refuse(f"the workbook's part '{name}' holds a DTD (<!DOCTYPE or <!ENTITY), which Excel never writes")
            tail = chunk[-16:]
            yield chunk
    except (zlib.error, OSError, ValueError, struct.error) as err:
        raise SheetRefused(
            "xlsx-unreadable", f"the workbook is damaged: its part '{name}' cannot be unpacked", SAVE_HINT
        ) from err


def _unpacked(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Unpack a part from the file itself, never past the size it declares (zipfile would stop there silently)."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(f"compression method {info.compress_type}")
    limit = min(info.file_size, MAX_UNPACKED)
    assert archive.filename is not None
    with open(archive.filename, "rb") as f:
        f.seek(info.header_offset)
        local = f.read(30)
        if local[:4] != b"PK\x03\x04":
            raise ValueError("no local header")
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        f.seek(info.header_offset + 30 + name_len + extra_len)
        left, seen = info.compress_size, 0
        inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        while True:
            if inflate is not None and inflate.unconsumed_tail:
                raw = inflate.unconsumed_tail
            elif left > 0:
                raw = f.read(min(CHUNK, left))
                left -= len(raw)
                if not raw:
                    raise ValueError("the part ends early")
            else:
                break
            # at most 4 MiB out of each step: a bomb never gets to unpack in one go
            out = raw if inflate is None else inflate.decompress(raw, 4 * CHUNK)
            seen += len(out)
            if seen > limit:
                raise refuse(f"the workbook's part '{info.filename}' unpacks to more than it declares (a zip bomb?)")
            if out:
                yield out


def _parse(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(_read_small(archive, name))
    except ElementTree.ParseError as err:
        raise SheetRefused("xlsx-unreadable", f"the workbook is damaged: its part '{name}' is not XML", SAVE_HINT) from err


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _workbook_parts(archive: zipfile.ZipFile) -> tuple[str, list[tuple[str, str | None]]]:
    """Give the workbook part's name and its sheets in order, each with the part that holds its cells."""
    workbook = "xl/workbook.xml"
    if "_rels/.rels" in archive.NameToInfo:
        for rel in _parse(archive, "_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument"):
                workbook = _resolve("", rel.get("Target", ""))
    if workbook not in archive.NameToInfo:
        raise SheetRefused(
            "xlsx-not-a-workbook",
            "the file is not an Excel workbook: the zip archive holds no workbook part",
            "export the sheet from Excel as .xlsx (Excel Workbook) or as CSV",
        )
    folder = workbook.rpartition("/")[0]
    rels_name = f"{folder}/_rels/{workbook.rpartition('/')[2]}.rels"
    targets: dict[str, str] = {}
    if rels_name in archive.NameToInfo:
        targets = {rel.get("Id", ""): _resolve(folder, rel.get("Target", "")) for rel in _parse(archive, rels_name)}
    sheets: list[tuple[str, str | None]] = []
    for node in _parse(archive, workbook).iter():
        if _local(node.tag) == "sheet":
            rid = next((v for k, v in node.attrib.items() if _local(k) == "id"), "")
            target = targets.get(rid)
            sheets.append((node.get("name", ""), target if target in archive.NameToInfo else None))
    return workbook, sheets


def _resolve(folder: str, target: str) -> str:
    """Give a relationship's target as a part name: absolute (/xl/...) or relative to the folder."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = [p for p in (folder.split("/") if folder else []) + target.split("/") if p not in ("", ".")]
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        else:
            out.append(p)
    return "/".join(out)


def _choose_sheet(parts: list[tuple[str, str | None]], sheet: str | int | None) -> tuple[str, str | None]:
    """Give the sheet `sheet:` names (a name, a 1-based number, or None for the first), or raise SheetRefused."""
    names = [name for name, _ in parts]
    if not parts:
        raise SheetRefused("xlsx-unreadable", "the workbook has no sheets", SAVE_HINT)
    listed = ", ".join(f"'{n}'" for n in names[:12]) + (f" (and {len(names) - 12} more)" if len(names) > 12 else "")
    if sheet is None:
        return parts[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 1 <= sheet <= len(parts):
            return parts[sheet - 1]
        raise SheetRefused(
            "xlsx-unknown-sheet",
            f"the workbook has no sheet {sheet}: it has {len(parts)} sheet{'s' if len(parts) != 1 else ''}: {listed}",
            f"write a number from 1 to {len(parts)}, or a sheet's name",
            on_sheet=True,
        )
    text = str(sheet)
    exact = [p for p in parts if p[0] == text]
    folded = [p for p in parts if p[0].casefold() == text.strip().casefold()]
    if exact or len(folded) == 1:
        return (exact or folded)[0]
    raise SheetRefused(
        "xlsx-unknown-sheet",
        f"the workbook has no sheet '{text}'; its sheets are {listed}",
        f"write one of these names, or a number from 1 to {len(parts)}",
        on_sheet=True,
    )


def _parts_read_with_the_sheet(archive: zipfile.ZipFile, workbook: str) -> list[str]:
    """Give the parts the reader opens besides the sheet (workbook, relationships, styles), to be checked whole."""
    folder = workbook.rpartition("/")[0]
    wanted = {"[Content_Types].xml", "_rels/.rels", workbook, f"{folder}/styles.xml", f"{folder}/_rels/workbook.xml.rels"}
    return sorted(n for n in archive.NameToInfo if n in wanted or n.endswith(".rels"))


def _kept(chunks: Iterator[bytes], head: bytearray) -> Iterator[bytes]:
    """Give the chunks again, keeping their first HEAD bytes in `head`."""
    for chunk in chunks:
        if len(head) < HEAD:
            head += chunk[: HEAD - len(head)]
        yield chunk


def _scan_shared_strings(archive: zipfile.ZipFile, name: str, found: Inspection) -> None:
    """Check the shared strings (size, DTD, declared count); note whether one reads like a date and time."""
    size = archive.getinfo(name).file_size
    first = True
    kept = bytearray()
    for buffer in _joined(_kept(_chunks(archive, name), kept)):
        if first:
            first = False
            count = _SST_COUNT.search(buffer[:4096])
            # a string takes at least `<si><t/></si>`: more declared than fit is a request for memory
            if count and int(count.group(1)) > size // 12 + 16:
                raise refuse(f"the workbook's part '{name}' declares {int(count.group(1)):,} strings, more than it holds")
        found.datetime_texts = found.datetime_texts or bool(_DATETIME_TEXT.search(buffer))
    found.strings_head = bytes(kept)


def _joined(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Give the chunks again, each cut after its last '>' and the rest carried over, so no tag is split."""
    carry = b""
    for chunk in chunks:
        buffer = carry + chunk
        cut = buffer.rfind(b">") + 1
        if cut == 0:
            carry = buffer
            continue
        carry = buffer[cut:]
        yield buffer[:cut]
    if carry:
        yield carry


def _scan_sheet(archive: zipfile.ZipFile, part: str, found: Inspection) -> None:
    """Check the sheet part whole; note its error and ISO date cells and whether its cells span too many places."""
    small = archive.getinfo(part).file_size < SMALL_SHEET
    far = False
    span = _Span()
    kept = bytearray()
    for buffer, end in _cells_joined(_kept(_chunks(archive, part), kept)):
        inline = False
        for hit in _TYPED_CELL.finditer(buffer, 0, end):
            kind = buffer[hit.start() + 3 : hit.start() + 4]
            if kind == b"b":
                found.booleans.add(_cell_column(buffer, hit.start()))
            elif kind == b"s":  # a formula's text result may read like a date
                found.datetime_texts = True
            elif kind == b"i":  # an inline text may read like a date: the buffer is looked at once
                if not (inline or found.datetime_texts):
                    inline = True
                    found.datetime_texts = bool(_DATETIME_TEXT.search(buffer, 0, end))
            else:
                patch = _typed_cell(buffer, hit.start())
                if patch is not None:
                    found.patches.append(patch)
        if small:
            span.add(buffer, end)
        elif not far and _FAR_REF.search(buffer, 0, end):
            far = True
    if far:  # a big sheet with a far cell is measured exactly, in a second pass from its first cell
        for buffer, end in _cells_joined(_chunks(archive, part)):
            span.add(buffer, end)
    if span.cells() > MAX_CELLS:
        raise refuse(
            f"the sheet's cells span {span.cells():,} places (from {span.first()} to {span.last()}), "
            f"more than the {MAX_CELLS:,} cxreport reads",
            "delete the far-away cells (or the empty rows and columns up to them) in Excel, or export the sheet as CSV",
        )
    found.head = bytes(kept)


def _cells_joined(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, int]]:
    """Give the chunks again, each with where its last cell starts: the cells before it are whole, and the
    rest is carried over to the next chunk, so no cell is split between two (and no chunk copied twice)."""
    carry = b""
    for chunk in chunks:
        buffer = carry + chunk if carry else chunk
        cut = _last_cell(buffer)
        if cut <= 0:
            cut = max(0, len(buffer) - 64)
        carry = buffer[cut:]
        yield buffer, cut
    if carry:
        yield carry, len(carry)


def _last_cell(buffer: bytes) -> int:
    """Give where the buffer's last cell element (`<c ` or `<c>`) starts, -1 when it has none."""
    at = len(buffer)
    while (at := buffer.rfind(b"<c", 0, at)) >= 0:
        if buffer[at + 2 : at + 3] in (b" ", b">"):
            return at
    return -1


class _Span:
    """The first and last row and column of a sheet's cells, gathered buffer by buffer."""

    def __init__(self) -> None:
        self.rows = [1 << 30, 0]
        self.cols = [1 << 30, 0]

    def add(self, buffer: bytes, end: int) -> None:
        for m in _ANY_REF.finditer(buffer, 0, end):
            row, col = int(m.group(2)), column_number(m.group(1).decode())
            self.rows = [min(self.rows[0], row), max(self.rows[1], row)]
            self.cols = [min(self.cols[0], col), max(self.cols[1], col)]

    def cells(self) -> int:
        return 0 if not self.rows[1] else (self.rows[1] - self.rows[0] + 1) * (self.cols[1] - self.cols[0] + 1)

    def first(self) -> str:
        return f"{column_letters(self.cols[0])}{self.rows[0]}"

    def last(self) -> str:
        return f"{column_letters(self.cols[1])}{self.rows[1]}"


def _cell_column(buffer: bytes, at: int) -> int:
    """Give the column of the cell whose attribute is at `at` (1-based), 0 when its start tag has no reference."""
    start = buffer.rfind(b"<c", 0, at)
    ref = _CELL_REF.search(buffer, start, at) if start >= 0 else None
    return column_number(ref.group(1).decode()) if ref else 0


def _typed_cell(buffer: bytes, at: int) -> Patch | None:
    """Give the patch for the error or ISO date cell whose `t=` attribute is at `at`, None if it is not one."""
    start = buffer.rfind(b"<c", 0, at)
    close = buffer.find(b">", at)
    if start < 0 or close < 0:
        return None
    attrs = dict(_ATTR.findall(buffer[start:close]))
    ref = re.fullmatch(rb"([A-Z]{1,3})([0-9]{1,7})", attrs.get(b"r", b""))
    end = buffer.find(b"</c>", close)
    if ref is None or buffer[close - 1 : close] == b"/" or end < 0:
        return None
    value = _VALUE.search(buffer, close, end)
    if value is None:
        return None
    text = unescape(value.group(1).decode("utf-8", "replace"))
    row, col = int(ref.group(2)), column_number(ref.group(1).decode())
    if attrs.get(b"t") == b"e":
        return Patch(row, col, text)
    if attrs.get(b"t") == b"d":
        return _iso_date_patch(row, col, text)
    return None


def _iso_date_patch(row: int, col: int, text: str) -> Patch:
    """Give an ISO date cell's text as the other date cells read (time dropped at midnight) and its date."""
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2})(\.\d+)?)?Z?", text.strip())
    if m is None:
        return Patch(row, col, text)
    day, time, fraction = m.groups()
    if time is None or (time == "00:00:00" and not (fraction or "").strip(".0")):
        return Patch(row, col, day, day)
    return Patch(row, col, f"{day} {time}{fraction or ''}", day)


def column_number(letters: str) -> int:
    """Give a column's number from its letters: A -> 1, AA -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(col: int) -> str:
    """Give a column's letters from its 1-based number: 1 -> A, 27 -> AA."""
    out = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out
