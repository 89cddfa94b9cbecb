"""One sheet of an .xlsx workbook loaded into a DuckDB table (cxreport/metrics/xlsx.py), and hostile workbooks refused."""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from cxreport.metrics.xlsx import SheetRefused, SheetTable, cell_name, load_sheet

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def read(path: Path, sheet: str | int | None = None) -> tuple[SheetTable, list[tuple]]:
    """Give the sheet's table, the same whether its header rows are read apart (1, 2 or 3) or not (None)."""
    tables = []
    for header_rows in (None, 1, 2, 3):
        con = duckdb.connect()
        found = load_sheet(con, "cells", path, sheet, header_rows=header_rows)
        tables.append((found, con.execute("SELECT * FROM cells").fetchall()))
        assert tables[-1] == tables[0], f"header_rows={header_rows}"
    return tables[0]


def refusal(path: Path, sheet: str | int | None = None) -> tuple[str, str, str, bool]:
    with pytest.raises(SheetRefused) as caught:
        load_sheet(duckdb.connect(), "cells", path, sheet)
    err = caught.value
    return err.code, err.message, err.hint, err.on_sheet


def hand_made(path: Path, sheet_xml: str | bytes, shared: str | bytes | None = None, sheets: int = 1) -> Path:
    """Write a workbook part by part, as a hostile tool could: the sheet's XML as given."""
    body = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/workbook.xml", f"<workbook {NS} {RNS}><sheets>{body}</sheets></workbook>")
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for i in range(1, sheets + 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheet_xml)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
    return path


def sheet_of(cells: str) -> str:
    return f"<worksheet {NS}><sheetData>{cells}</sheetData></worksheet>"


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    """A small export with every kind of cell, an empty row, and a second sheet."""
    path = tmp_path / "nps-export.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Antwoorden")
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = wb.add_format({"num_format": "dd-mm-yyyy"})
    clock = wb.add_format({"num_format": "hh:mm"})
    ws.write_row(0, 0, ["Datum", "Score", "Tekst", "Bool", "Fout"])
    ws.write_datetime(1, 0, dt.datetime(2026, 3, 1, 10, 15), stamp)
    ws.write_number(1, 1, 7)
    ws.write_string(1, 2, "abc")
    ws.write_boolean(1, 3, True)
    ws.write_formula(1, 4, "=1/0", None, "#DIV/0!")
    ws.write_datetime(2, 0, dt.datetime(2026, 3, 2), day)
    ws.write_number(2, 1, 7.5)
    ws.write_string(2, 2, "2026-03-01")
    ws.write_boolean(2, 3, False)
    ws.write_formula(2, 4, "=NA()", None, "#N/A")
    # row 4 is empty
    ws.write_number(4, 1, 0.1 + 0.2)
    ws.write_string(4, 2, "  spaties ")
    ws.write_datetime(5, 0, dt.datetime(2026, 1, 1, 0, 0, 0, 500000), stamp)
    ws.write_number(5, 1, 1e-10)
    ws.write_string(5, 2, "7.0")
    ws.write_datetime(6, 0, dt.datetime(1899, 12, 31, 10, 15), clock)
    ws.write_number(6, 1, 1 / 3)
    ws.write_string(6, 2, "true")
    ws.write_number(7, 1, -12)
    ws.write_string(7, 2, "007")
    second = wb.add_worksheet("Tweede")
    second.write_string(2, 2, "C3")
    second.write_number(4, 3, 3)
    wb.close()
    return path


def test_every_kind_of_cell_as_text_and_dates_typed(survey: Path):
    found, rows = read(survey)
    assert found == SheetTable(sheet="Antwoorden", width=5, rows=7, dated=frozenset({0}))
    d = dt.date
    nil = (None, None, None, None)
    assert rows == [
        (1, "Datum", "Score", "Tekst", "Bool", "Fout", None, *nil),
        (2, "2026-03-01 10:15:00", "7", "abc", "TRUE", "#DIV/0!", d(2026, 3, 1), *nil),
        (3, "2026-03-02", "7.5", "2026-03-01", "FALSE", "#N/A", d(2026, 3, 2), *nil),
        (5, None, "0.3", "  spaties ", None, None, None, *nil),
        (6, "2026-01-01 00:00:00.500", "1e-10", "7.0", None, None, d(2026, 1, 1), *nil),
        (7, "10:15:00", "0.333333333333333", "true", None, None, None, *nil),
        (8, None, "-12", "007", None, None, None, *nil),
    ]


def test_a_sheet_by_name_or_number_keeps_its_rows_and_columns(survey: Path):
    by_name, rows = read(survey, "Tweede")
    by_number, same = read(survey, 2)
    assert by_name == by_number == SheetTable(sheet="Tweede", width=4, rows=2, dated=frozenset())
    assert (
        rows == same == [(3, None, None, "C3", None, None, None, None, None), (5, None, None, None, "3", None, None, None, None)]
    )
    assert read(survey, "tweede")[0].sheet == "Tweede"  # Excel's sheet names ignore case
    assert read(survey, 1)[0].sheet == read(survey, None)[0].sheet == "Antwoorden"


def test_a_sheet_that_does_not_exist_is_a_problem_of_sheet(survey: Path):
    assert refusal(survey, "Antwoord") == (
        "xlsx-unknown-sheet",
        "the workbook has no sheet 'Antwoord'; its sheets are 'Antwoorden', 'Tweede'",
        "write one of these names, or a number from 1 to 2",
        True,
    )
    assert refusal(survey, 3) == (
        "xlsx-unknown-sheet",
        "the workbook has no sheet 3: it has 2 sheets: 'Antwoorden', 'Tweede'",
        "write a number from 1 to 2, or a sheet's name",
        True,
    )


def test_text_that_reads_like_a_date_and_time_stays_text(tmp_path: Path):
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_string(0, 0, "2026-03-01 10:15:00")
    ws.write_datetime(1, 0, dt.datetime(2026, 3, 1, 10, 15), wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}))
    wb.close()
    found, rows = read(path)
    assert rows == [(1, "2026-03-01 10:15:00", None), (2, "2026-03-01 10:15:00", dt.date(2026, 3, 1))]
    assert found.dated == frozenset({0})


def test_an_inline_text_that_reads_like_a_date_and_time_stays_text(tmp_path: Path):
    cells = '<row r="1"><c r="A1" t="inlineStr"><is><t>2026-03-01 10:15:00</t></is></c><c r="B1"><v>4</v></c></row>'
    found, rows = read(hand_made(tmp_path / "i.xlsx", sheet_of(cells)))
    assert (found.dated, rows) == (frozenset(), [(1, "2026-03-01 10:15:00", "4", None, None)])


def test_hand_written_cells_error_only_rows_iso_dates_and_shared_strings(tmp_path: Path):
    cells = (
        '<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2" t="s"><v>1</v></c></row>'
        '<row r="4"><c r="C4" t="e"><v>#REF!</v></c></row>'
        '<row r="9"><c r="B9" t="d"><v>2026-03-01T00:00:00</v></c><c r="C9" t="d"><v>2026-03-05T08:30:00</v></c></row>'
    )
    shared = (
        f'<sst {NS} count="2" uniqueCount="2"><si><t>Score</t></si><si><r><t>Da</t></r><r><t>tum &amp; tijd</t></r></si></sst>'
    )
    found, rows = read(hand_made(tmp_path / "h.xlsx", sheet_of(cells), shared))
    assert found == SheetTable(sheet="S1", width=3, rows=3, dated=frozenset({1, 2}))
    assert rows == [
        (2, None, "Score", "Datum & tijd", None, None, None),
        (4, None, None, "#REF!", None, None, None),
        (9, None, "2026-03-01", "2026-03-05 08:30:00", None, dt.date(2026, 3, 1), dt.date(2026, 3, 5)),
    ]


def test_an_empty_sheet_gives_no_records(tmp_path: Path):
    found, rows = read(hand_made(tmp_path / "e.xlsx", sheet_of("")))
    assert (found, rows) == (SheetTable(sheet="S1", width=0, rows=0), [])


def test_cell_names():
    assert [cell_name(14, 2), cell_name(1, 27), cell_name(3, 26), cell_name(7, 702), cell_name(1, 16384)] == [
        "B14",
        "AA1",
        "Z3",
        "ZZ7",
        "XFD1",
    ]


# --- files that are not workbooks --------------------------------------------------------------------------------

SAVE = "open it in Excel and save it as .xlsx (Excel Workbook), or export the sheet as CSV"


def test_a_file_that_is_not_a_zip_is_not_a_workbook(tmp_path: Path):
    path = tmp_path / "nps.xlsx"
    path.write_text("date,score\n2026-03-01,9\n", encoding="utf-8")
    assert refusal(path) == (
        "xlsx-not-a-workbook",
        "the file is not an Excel workbook: an .xlsx file is a zip archive, and this one is not",
        "export the sheet from Excel as .xlsx (Excel Workbook) or as CSV",
        False,
    )


def test_a_zip_without_a_workbook_is_not_a_workbook(tmp_path: Path):
    path = tmp_path / "nps.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<document/>")
    assert refusal(path)[:2] == (
        "xlsx-not-a-workbook",
        "the file is not an Excel workbook: the zip archive holds no workbook part",
    )


def ole_file(path: Path, stream_names: list[str]) -> Path:
    """An OLE compound file's header and a directory sector naming the streams (enough for the magic and the names)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    directory = b"".join(name.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for name in stream_names)
    path.write_bytes(header + directory.ljust(512, b"\0"))
    return path


def test_an_old_xls_workbook_is_refused_with_save_as(tmp_path: Path):
    assert refusal(ole_file(tmp_path / "old.xlsx", ["Root Entry", "Workbook"])) == (
        "xlsx-old-format",
        "the file is an old Excel workbook (.xls, Excel 97-2003), which cxreport does not read",
        SAVE,
        False,
    )


def test_a_password_protected_workbook_is_refused_as_such(tmp_path: Path):
    path = ole_file(tmp_path / "secret.xlsx", ["Root Entry", "EncryptionInfo", "EncryptedPackage"])
    assert refusal(path) == (
        "xlsx-encrypted",
        "the workbook is protected with a password, so it cannot be read",
        "open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password), "
        "and save it as .xlsx or export the sheet as CSV",
        False,
    )


def test_a_damaged_sheet_is_unreadable(tmp_path: Path):
    path = hand_made(tmp_path / "d.xlsx", f'<worksheet {NS}><sheetData><row r="1"><c r="A1"><v>1</v>')
    code, message, hint, on_sheet = refusal(path)
    assert (code, hint, on_sheet) == ("xlsx-unreadable", SAVE, False)
    assert message.startswith("the workbook cannot be read: ") and str(tmp_path) not in message


# --- hostile workbooks ---------------------------------------------------------------------------------------------


def test_a_zip_bomb_part_is_refused_from_its_directory(tmp_path: Path):
    path = hand_made(tmp_path / "bomb.xlsx", sheet_of('<row r="1"><c r="A1"><v>1</v></c></row>'))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", bytes(64 << 20))  # 64 MiB of zeros pack about 1000 times
    code, message, _, _ = refusal(path)
    assert code == "xlsx-refused"
    assert message.startswith("the workbook's part 'xl/media/padding.bin' unpacks to ")
    assert message.endswith(" times its packed size (a zip bomb?), more than the 100 times cxreport reads")


def misdeclare(path: Path, member: str, size: int) -> Path:
    """Write a smaller uncompressed size for a member into the zip's local header and central directory."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_len]) == member.encode():
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    return path


def test_a_part_that_unpacks_to_more_than_it_declares_is_refused(tmp_path: Path):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 5001))
    path = misdeclare(hand_made(tmp_path / "liar.xlsx", sheet_of(rows)), "xl/worksheets/sheet1.xml", 1000)
    code, message, _, _ = refusal(path)
    assert (code, message) == (
        "xlsx-refused",
        "the workbook's part 'xl/worksheets/sheet1.xml' unpacks to more than it declares (a zip bomb?)",
    )


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + f']><sst {NS} count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)


def test_a_billion_laughs_in_the_shared_strings_is_refused(tmp_path: Path):
    cells = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    path = hand_made(tmp_path / "laughs.xlsx", sheet_of(cells), BILLION_LAUGHS)
    assert refusal(path) == (
        "xlsx-refused",
        "the workbook's part 'xl/sharedStrings.xml' holds a DTD (<!DOCTYPE or <!ENTITY), which Excel never writes",
        SAVE,
        False,
    )


def test_an_entity_anywhere_in_the_sheet_is_refused(tmp_path: Path):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 3000))
    late = sheet_of(rows).replace("</sheetData>", '</sheetData><!ENTITY x SYSTEM "file:///etc/passwd">')
    assert refusal(hand_made(tmp_path / "late.xlsx", late))[:2] == (
        "xlsx-refused",
        "the workbook's part 'xl/worksheets/sheet1.xml' holds a DTD (<!DOCTYPE or <!ENTITY), which Excel never writes",
    )


def test_cells_far_apart_are_refused_before_the_reader_lays_them_out(tmp_path: Path):
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    code, message, hint, _ = refusal(hand_made(tmp_path / "far.xlsx", sheet_of(cells)))
    assert (code, message) == (
        "xlsx-refused",
        "the sheet's cells span 17,179,869,184 places (from A1 to XFD1048576), more than the 30,000,000 cxreport reads",
    )
    assert hint == "delete the far-away cells (or the empty rows and columns up to them) in Excel, or export the sheet as CSV"


def test_shared_strings_that_declare_more_than_they_hold_are_refused(tmp_path: Path):
    shared = f'<sst {NS} count="1" uniqueCount="100000000000"><si><t>a</t></si></sst>'
    path = hand_made(tmp_path / "count.xlsx", sheet_of('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared)
    assert refusal(path)[:2] == (
        "xlsx-refused",
        "the workbook's part 'xl/sharedStrings.xml' declares 100,000,000,000 strings, more than it holds",
    )


def test_a_million_empty_styled_rows_give_no_records(tmp_path: Path):
    rows = "".join(f'<row r="{r}" s="1" customFormat="1" ht="15" customHeight="1"/>' for r in range(1, 1_000_001))
    path = hand_made(tmp_path / "styled.xlsx", sheet_of(rows))
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 50 << 20 and info.file_size < 100 * info.compress_size  # big, and packed as a real sheet is
    found, rows_read = read(path)
    assert (found, rows_read) == (SheetTable(sheet="S1", width=0, rows=0), [])


# --- the header rows read apart, the data rows read once ---------------------------------------------------------


def test_data_rows_of_every_kind_read_once_as_carefully(tmp_path: Path):
    """Three header rows of text over data columns each of one kind, or mixing kinds: the table is the
    careful read's (read() compares every header_rows), and the cells are as the module's rules say.
    No cell is a boolean, so number columns are written from the typed read (see the next test)."""
    path = tmp_path / "kinds.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Data")
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    clock = wb.add_format({"num_format": "hh:mm"})
    hours = wb.add_format({"num_format": "[h]:mm"})
    columns: list[list] = [
        [7, 7.5, 0.1 + 0.2, 1e-10, 1 / 3, -12, 0, 123456.123456789, 1e14 + 0.5],  # A numbers
        [dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 1, 10, 15), dt.datetime(2026, 1, 1, 0, 0, 0, 500000)],  # B dates
        ["abc", "  spaties ", "Zakelijk"],  # C text
        [],  # D empty below its header
        [9, "n.v.t.", "9", 2.5],  # E numbers and text
        [dt.datetime(2026, 2, 3), "05-02-2026", dt.datetime(1899, 12, 31, 10, 15)],  # F dates and text
        [0.5, 1e-5, 2.25],  # G fractions
        ["=1/0", 4],  # H an error among numbers
        [dt.timedelta(hours=30)],  # I a duration
        [dt.timedelta(hours=2), dt.timedelta(minutes=90)],  # J durations under a day
        [1e20, 2.0],  # K a number past 15 digits
        ["2026-03-01 10:15:00", dt.datetime(2026, 3, 1, 10, 15)],  # L text that reads like a date, and a date
        [3, -4, 0, 10, 123456789012345],  # M whole numbers
        [-0.0, 1],  # N a negative zero among whole numbers
    ]
    for c, values in enumerate(columns):
        ws.write_string(0, c, f"Q{c}")
        ws.write_string(1, c, f"Vraag {c}?")
        ws.write_string(2, c, f'{{"ImportId":"QID{c}"}}')
        for r, value in enumerate(values, start=3):
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif isinstance(value, dt.timedelta):
                ws.write_number(r, c, value.total_seconds() / 86400, hours)
            elif isinstance(value, dt.datetime):
                ws.write_datetime(r, c, value, clock if value.year == 1899 else stamp)
            elif value.startswith("="):
                ws.write_formula(r, c, value, None, "#DIV/0!")
            else:
                ws.write_string(r, c, value)
    wb.close()
    found, rows = read(path)
    assert (found.rows, found.width, found.dated) == (12, 14, frozenset({1, 5, 8, 11}))
    column = {c: [row[1 + c] for row in rows[3:]] for c in range(14)}
    assert column[0] == ["7", "7.5", "0.3", "1e-10", "0.333333333333333", "-12", "0", "123456.123456789", "100000000000000.5"]
    assert column[1][:3] == ["2026-03-01", "2026-03-01 10:15:00", "2026-01-01 00:00:00.500"]
    assert column[2][:3] == ["abc", "  spaties ", "Zakelijk"]
    assert column[3] == [None] * 9
    assert column[4][:4] == ["9", "n.v.t.", "9", "2.5"]
    assert column[5][:3] == ["2026-02-03", "05-02-2026", "10:15:00"]
    assert column[6][:3] == ["0.5", "0.00001", "2.25"]
    assert column[7][:2] == ["#DIV/0!", "4"]
    assert (column[8][0], column[9][:2]) == ("1900-01-01 06:00:00", ["02:00:00", "01:30:00"])  # as the text pass
    assert column[10][:2] == ["100000000000000000000", "2"]
    assert column[11][:2] == ["2026-03-01 10:15:00", "2026-03-01 10:15:00"]
    assert column[12][:5] == ["3", "-4", "0", "10", "123456789012345"]
    assert column[13][:2] == ["-0", "1"]
    dates = {c: [row[15 + c] for row in rows[3:]] for c in (1, 5, 11)}
    d = dt.date
    assert dates == {
        1: [d(2026, 3, 1), d(2026, 3, 1), d(2026, 1, 1)] + [None] * 6,
        5: [d(2026, 2, 3), None, None] + [None] * 6,
        11: [None, d(2026, 3, 1)] + [None] * 7,
    }


def test_a_duration_among_numbers_reads_the_data_rows_carefully(tmp_path: Path):
    """fastexcel gives no type to a column of durations and numbers: then every data column is read carefully."""
    path = tmp_path / "durations.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["Duur", "Score"])
    ws.write_number(1, 0, 2 / 24, wb.add_format({"num_format": "[h]:mm"}))
    ws.write_number(2, 0, 5)
    ws.write_column(1, 1, [7, 8])
    wb.close()
    _, rows = read(path)
    assert rows == [(1, "Duur", "Score", None, None), (2, "02:00:00", "7", None, None), (3, "5", "8", None, None)]


def test_leading_empty_rows_and_columns_and_a_header_of_numbers(tmp_path: Path):
    cells = (
        '<row r="3"><c r="C3" t="inlineStr"><is><t>Score</t></is></c><c r="D3"><v>2025</v></c></row>'
        '<row r="4"/>'
        '<row r="6"><c r="C6"><v>9</v></c><c r="D6"><v>0.5</v></c></row>'
        '<row r="7"><c r="C7" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    found, rows = read(hand_made(tmp_path / "lead.xlsx", sheet_of(cells)))
    assert found == SheetTable(sheet="S1", width=4, rows=3, dated=frozenset())
    assert [row[:5] for row in rows] == [
        (3, None, None, "Score", "2025"),
        (6, None, None, "9", "0.5"),
        (7, None, None, "x", None),
    ]


def test_a_boolean_among_numbers_sends_its_column_to_the_careful_read(tmp_path: Path):
    """fastexcel reads a boolean among numbers as 1 or 0: that column is read carefully (B: booleans alone, C:
    numbers alone are read once)."""
    cells = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="b"><v>1</v></c><c r="C2"><v>2.5</v></c></row>'
        '<row r="3"><c r="A3" t="b"><v>0</v></c><c r="B3" t="b"><v>0</v></c><c r="C3"><v>3</v></c></row>'
    )
    _, rows = read(hand_made(tmp_path / "bool.xlsx", sheet_of(cells)))
    assert [row[:4] for row in rows] == [(1, "n", "b", None), (2, "1", "TRUE", "2.5"), (3, "FALSE", "FALSE", "3")]


def test_the_header_rows_are_cut_out_of_usual_workbooks(tmp_path: Path, survey: Path):
    """The cut that makes the load fast is found in workbooks as Excel, openpyxl and xlsxwriter write them."""
    from openpyxl import Workbook

    from cxreport.metrics.xlsx import _head_workbook
    from cxreport.metrics.xlsx_guard import inspect_workbook

    book = Workbook()
    sheet = book.active
    for row in (["Q1", "Q2"], ["Vraag 1", "Vraag 2"], ['{"ImportId":"QID1"}', '{"ImportId":"QID2"}'], [9, 7], [8, 6]):
        sheet.append(row)
    book.save(tmp_path / "openpyxl.xlsx")
    for path, rows, last in ((survey, 1, 1), (survey, 3, 3), (tmp_path / "openpyxl.xlsx", 3, 3)):
        cut = _head_workbook(inspect_workbook(path, None), rows)
        assert cut is not None and cut[0] == last, (path.name, rows)


@pytest.mark.parametrize(
    "cells",
    [
        '<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>',  # rows out of order
        '<row r="1"><c r="A5"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>',  # a cell in another row
        "<row><c><v>1</v></c></row><row><c><v>2</v></c></row>",  # rows without numbers
    ],
)
def test_a_head_that_is_not_plain_is_read_carefully_and_alike(tmp_path: Path, cells: str):
    from cxreport.metrics.xlsx import _head_workbook
    from cxreport.metrics.xlsx_guard import inspect_workbook

    path = hand_made(tmp_path / "odd.xlsx", sheet_of(cells))
    assert _head_workbook(inspect_workbook(path, None), 1) is None
    read(path)  # every header_rows gives the careful read's table


def test_a_big_sheet_with_a_cell_past_row_9999999_is_refused(tmp_path: Path):
    """A sheet over 8 MiB is measured when a cell's row has 7 digits or more (8 digits slipped through)."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 260_000))
    cells = rows + '<row r="99999999"><c r="A99999999"><v>1</v></c></row>'
    path = hand_made(tmp_path / "deep.xlsx", sheet_of(cells))
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size > 8 << 20
    assert refusal(path)[:2] == (
        "xlsx-refused",
        "the sheet's cells span 99,999,999 places (from A1 to A99999999), more than the 30,000,000 cxreport reads",
    )


def test_a_big_sheet_whose_last_cell_is_far_away_is_refused(tmp_path: Path):
    """The far cell was measured only from the chunk it was found in: as the last cell, alone (1 place)."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 260_000))
    cells = rows + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = hand_made(tmp_path / "far-last.xlsx", sheet_of(cells))
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size > 8 << 20
    assert refusal(path)[:2] == (
        "xlsx-refused",
        "the sheet's cells span 17,179,869,184 places (from A1 to XFD1048576), more than the 30,000,000 cxreport reads",
    )
