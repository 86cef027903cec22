"""Hostile but realistic input through the command line, as a user types it.

Each case is a command with a bad file or a bad setting. For each: the exit code, the one
line that says what is wrong, and the store afterwards: the row count of every table is as
before, but for the feed run and rejected rows that record a refusal.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.delivery.conftest import CODES
from tests.delivery.conftest import HEADER as DIRECTORY_HEADER
from tests.support.cli import AS_OF, row_counts, run
from tests.support.workbooks import bomb, with_formulas

HEADER = "series_id,material,indicator,frequency,period,value,unit"
RECORDED = {"feed_run": 1, "rejected_row": 1}  # a refused file: its run and its refusal


def long_file(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows, ""]).encode()


def two_sheets(path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.append(HEADER.split(","))
    first.append(["copper_shfe_futures", "copper", "price", "D", "2024-01-02", 68000, "CNY/t"])
    workbook.create_sheet("2025").append(["copper_shfe_futures", "copper"])
    workbook.save(path)


def feeds_yaml(location: str, schedule: str = "{}") -> bytes:
    return (
        "feeds:\n"
        f"  - {{id: cu, source: http_csv, location: '{location}', schedule: {schedule},\n"
        "     series: [{id: copper_shfe_futures, material: copper, indicator: price,\n"
        "               frequency: D, unit: CNY/t, value: close}]}\n"
    ).encode()


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    code: int
    says: str  # a regular expression the one line must match
    changes: dict[str, int] = field(default_factory=dict)  # rows added, by table
    files: dict[str, bytes | Callable[[Path], None]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


def row_case(name: str, row: str, says: str) -> Case:
    """A file whose one row is refused: exit 1, the row's line and reason on stdout."""
    files: dict[str, bytes | Callable[[Path], None]] = {"in.csv": long_file(row)}
    return Case(name, ("ingest-file", "in.csv"), 1, f"^  line 2: {says}", RECORDED, files)


def file_case(name: str, content: bytes | Callable[[Path], None], says: str, **env: str) -> Case:
    """A file refused as a whole: exit 2, one line on stderr, the refusal recorded."""
    target = "in.xlsx" if callable(content) else "in.csv"
    files = {target: content}
    return Case(name, ("ingest-file", target), 2, says, RECORDED, files, env)


def fifo(path: Path) -> None:
    os.mkfifo(path)


def wide_header(columns: int, first: str = HEADER) -> bytes:
    names = first.split(",")
    return (",".join([*names, *(f"x{i}" for i in range(columns - len(names)))]) + "\n").encode()


LONG_ROW: list[object] = ["copper_shfe_futures", "copper", "price", "D", "2024-01-02", 68000]


def long_bomb(path: Path) -> None:
    bomb([HEADER.split(","), [*LONG_ROW, "CNY/t"]], path, padding=2_000_000)


def long_formula(path: Path) -> None:
    with_formulas([HEADER.split(","), [*LONG_ROW[:5], "=1+1", "CNY/t"]], {"F2": "2"}, path)


CONTACT = f"Demo Zinc,{CODES[1]},false,Li,b@zinc.example,en,,,zinc,blue,nonferrous,email"


def directory(*rows: str) -> bytes:
    return "\n".join([DIRECTORY_HEADER, *rows, ""]).encode()


def directory_bomb(path: Path) -> None:
    bomb([DIRECTORY_HEADER.split(","), CONTACT.split(",")], path, padding=2_000_000)


def directory_formula(path: Path) -> None:
    cells: list[object] = CONTACT.split(",")
    cells[3] = '=HYPERLINK("http://evil.example","Li")'
    with_formulas([DIRECTORY_HEADER.split(","), cells], {"D2": "Li"}, path)


def directory_case(
    name: str, content: bytes | Callable[[Path], None], code: int, says: str, **env: str
) -> Case:
    """A directory file: refused as a whole (exit 2) or cell by cell (exit 1); nothing
    imported, nothing recorded."""
    target = "d.xlsx" if callable(content) and content is not fifo else "d.csv"
    return Case(name, ("directory", "import", target), code, says, {}, {target: content}, env)


FEEDS = {"WARNING_FEEDS_PATH": "feeds.yaml"}
CU = "copper_shfe_futures,copper,price,D,2024-01-02"
SMALL_UNPACKED = {"WARNING_MAX_UNPACKED_BYTES": "1000000"}
CASES = [
    row_case("markup value", f"{CU},[/],CNY/t", r"bad number '\[/\]'$"),
    row_case("1e308", f"{CU},1e308,CNY/t", r"price 1e308 is implausibly large \(beyond 1e\+12\)"),
    row_case("subnormal", f"{CU},1e-320,CNY/t", "price 1e-320 is implausibly close to zero"),
    row_case("zero price", f"{CU},0,CNY/t", "non-positive price 0$"),
    row_case("negative output", "cu_out,copper,output,M,2024-01-01,-5,10k t", "negative output"),
    row_case(
        "NUL unit", f"{CU},68000,CNY\x00t", r"unit holds a control character \(U\+0000 NUL\)$"
    ),
    row_case(
        "NUL value", f"{CU},1\x002,CNY/t", r"value holds a control character \(U\+0000 NUL\)$"
    ),
    row_case(
        "line break unit",
        f'{CU},68000,"CNY\r\nt"',
        r"unit holds a control character \(U\+000D CARRIAGE RETURN\)$",
    ),
    row_case(
        "formula unit",
        'copper_x,copper,price,D,2024-01-02,1,"=HYPERLINK(""http://x"",""y"")"',
        r"""unit '=HYPERLINK\("http://x","y"\)' looks like a spreadsheet formula""",
    ),
    Case(
        "all junk",
        ("ingest-file", "junk.csv"),
        1,
        r"junk.csv: 0 accepted as new, 0 revised, 0 unchanged, 3 rejected$",
        {"feed_run": 1, "rejected_row": 3},
        {"junk.csv": long_file("a,b,c", "x,y,z,1,2,3,4", "\x01,\x02,,,,,")},
    ),
    file_case(
        "wide header", wide_header(200_010), r"in.csv: line 1: more than 64 columns .*\(200,010\)"
    ),
    file_case(
        "xlsx bomb",
        long_bomb,
        r"in.xlsx: the workbook unpacks to [\d,]+ bytes \(xl/worksheets/sheet1.xml alone to "
        r"2,0[\d,]+\); at most 1,000,000 are read \(the setting WARNING_MAX_UNPACKED_BYTES\)$",
        **SMALL_UNPACKED,
    ),
    file_case(
        "xlsx formula",
        long_formula,
        r"in.xlsx: sheet 'Sheet', cell F2 holds a formula \(=1\+1\); formulas are not read",
    ),
    Case(
        "fifo ingest-file",
        ("ingest-file", "f.csv"),
        2,
        r"^error: f.csv: not a regular file \(a FIFO\); give a file's path$",
        RECORDED,
        {"f.csv": fifo},
    ),
    Case(
        "fifo backtest data",
        ("backtest", "--data", "f.csv", "--out", "out.csv"),
        2,
        r"^error: f.csv: not a regular file \(a FIFO\); give a file's path$",
        files={"f.csv": fifo},
    ),
    directory_case("fifo directory", fifo, 2, r"^error: d.csv: not a regular file \(a FIFO\)"),
    directory_case(
        "wide directory",
        wide_header(200_010, DIRECTORY_HEADER) + CONTACT.encode(),
        2,
        r"^error: d.csv: more than 64 columns in the header \(200,010\)",
    ),
    directory_case(
        "directory bomb",
        directory_bomb,
        2,
        r"^error: d.xlsx: the workbook unpacks to [\d,]+ bytes .*at most 1,000,000 are read",
        **SMALL_UNPACKED,
    ),
    directory_case(
        "directory formula",
        directory_formula,
        2,
        r"""^error: d.xlsx: sheet 'Sheet', cell D2 holds a formula \(=HYPERLINK\("http://""",
    ),
    *(
        directory_case(
            f"directory {name}",
            directory(CONTACT.replace(",Li,", f',"Evil{character}Bcc: victim@evil.example",')),
            1,
            rf"^line 2, column contact: holds a control character \(U\+{code}",
        )
        for name, character, code in (
            ("CR LF", "\r\n", "000D CARRIAGE RETURN"),
            ("U+2028", "\u2028", "2028 LINE SEPARATOR"),
            ("U+0085", "\x85", "0085 NEXT LINE"),
            ("NUL", "\x00", "0000 NUL"),
        )
    ),
    file_case("value twice", (HEADER + ",value\n").encode(), r"column value appears 2 times"),
    file_case("semicolons", HEADER.replace(",", ";").encode(), "separated by semicolons"),
    file_case(
        "gb18030",
        long_file(f"{CU},铜价,CNY/t").decode().encode("gb18030"),
        r"looks like GBK/GB18030 .*save the file as UTF-8, or pass --encoding gb18030$",
    ),
    file_case("two sheets", two_sheets, r"2 sheets hold data \('Sheet', '2025'\)"),
    file_case(
        "too large",
        long_file(*[f"{CU},68000,CNY/t"] * 10),
        r"larger than 200 bytes.*\(the setting WARNING_MAX_FILE_BYTES\)$",
        WARNING_MAX_FILE_BYTES="200",
    ),
    Case(
        "endless file",
        ("ingest-file", "/dev/zero"),
        2,
        r"^error: /dev/zero: not a regular file \(a character device\); give a file's path$",
        RECORDED,
        env={"WARNING_MAX_FILE_BYTES": "100000"},
    ),
    Case(
        "endless backtest data",
        ("backtest", "--data", "/dev/zero", "--out", "out.csv"),
        2,
        r"^error: /dev/zero: not a regular file \(a character device\); give a file's path$",
        env={"WARNING_MAX_FILE_BYTES": "100000"},
    ),
    Case("bad encoding", ("ingest-file", "x.csv", "--encoding", "klingon"), 2, "--encoding: "),
    *(
        Case(
            f"funday {command}",
            tuple(command.split()),
            2,
            r"feeds.yaml: feed 'cu', field 'schedule.day_of_week': Invalid weekday name",
            files={"feeds.yaml": feeds_yaml("https://h/cu.csv", "{day_of_week: funday}")},
            env=FEEDS,
        )
        for command in ("ingest", "feeds status", "serve")
    ),
    *(
        Case(
            f"{scheme} feed",
            ("ingest",),
            2,
            rf"feed 'cu', field 'location': the URL scheme '{scheme}' is not fetched",
            files={"feeds.yaml": feeds_yaml(f"{scheme}://h/cu.csv")},
            env=FEEDS,
        )
        for scheme in ("file", "ftp", "gopher")
    ),
    *(
        Case(
            f"unreachable postgres {command}",
            (command,),
            2,
            r"^error: cannot (migrate|reach) the database postgresql\+psycopg://u:\*\*\*@"
            r"127.0.0.1:1/w: connection failed",
            env={"WARNING_DATABASE_URL": "postgresql+psycopg://u:secret@127.0.0.1:1/w"},
        )
        for command in ("init", "demo", "evaluate")
    ),
    *(
        Case(
            f"unwritable sqlite {command}",
            tuple(command.split()),
            2,
            r"^error: cannot create the folder .*/blocked of the database .*: a file is in the",
            files={"blocked": b"a file where the store's folder should be"},
            env={"WARNING_DATABASE_URL": "sqlite:///{tmp}/blocked/store.db"},
        )
        for command in (
            "init",
            "materials",
            "ingest-file in.csv",
            "demo",
            "evaluate",
            "ingest",
            "derive",
            "series copper_shfe_futures",
            "feeds status",
            "feeds rejects",
            "serve",
        )
    ),
]


PAST_64_BITS = "99999999999999999999999"
CASES += [
    *(
        Case(f"{command} {number}", (*command.split(), number), 2, f"{name}.*less than or equal to")
        for number in (PAST_64_BITS, str(2**63), str(2**31))
        for command, name in (
            ("review show", "item_id"),
            ("review approve --as x", "item_id"),
            ("tokens revoke", "token_id"),
            ("deliveries replay", "delivery_id"),
        )
    ),
    Case(
        "dry-run of a warning past 64 bits",
        ("alerts", "dry-run", "--warning", PAST_64_BITS),
        2,
        r"'--warning'.*less than or equal to",
    ),
    Case("a limit past 64 bits", ("review", "list", "--limit", PAST_64_BITS), 2, "'--limit'"),
    Case(
        "a token for 10^11 days",
        ("tokens", "create", "--user", "x", "--expires", "99999999999"),
        2,
        r"'--expires'.*less than or equal to 3650",
    ),
    Case("an id that is no number", ("review", "show", "abc"), 2, "item_id.*valid integer"),
    *(
        Case(
            f"{name} in {where}",
            args,
            2,
            rf"^error: {re.escape(where)}: contains a (control character|line break) \(U\+",
        )
        for name, character in (
            ("CR LF", "\r\n"),
            ("U+2028", "\u2028"),
            ("U+0085", "\x85"),
            ("ESC", "\x1b"),
            ("DEL", "\x7f"),
        )
        for where, args in (
            ("argument 3", ("users", "add", f"li{character}wei", "--role", "viewer")),
            ("--label", ("tokens", "create", "--user", "x", "--label", f"ci{character}")),
            ("argument 2", ("ingest-file", f"in{character}.csv")),
        )
    ),
    *(
        Case(
            f"{name} in a reason",
            ("review", "reject", "1", "--as", "x", "--reason", f"roll{character}over"),
            2,
            rf"^error: --reason: contains a control character \(U\+{code}\)",
        )
        for name, character, code in (("ESC", "\x1b", "001B"), ("BEL", "\x07", "0007"))
    ),
]


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store after `warning init`, copied for each case."""
    folder = tmp_path_factory.mktemp("template")
    assert run(folder, "init").returncode == 0
    return folder / "cli.db"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input(case: Case, initialised: Path, tmp_path: Path) -> None:
    shutil.copy(initialised, tmp_path / "cli.db")
    for name, content in case.files.items():
        if callable(content):
            content(tmp_path / name)
        else:
            (tmp_path / name).write_bytes(content)
    store = f"sqlite:///{tmp_path / 'cli.db'}"
    before = row_counts(store)
    env = {key: value.replace("{tmp}", str(tmp_path)) for key, value in case.env.items()}

    result = run(tmp_path, *case.args, **AS_OF, **env)

    assert result.returncode == case.code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    if case.code == 2:
        (line,) = result.stderr.strip().splitlines()  # one line, however long
        assert line.startswith("error: ")
    else:
        output = (result.stdout + result.stderr).splitlines()  # refused cells: on stderr
        line = next((ln for ln in output if re.search(case.says, ln)), "")
    assert re.search(case.says, line), result.stdout + result.stderr
    after = row_counts(store)
    assert {
        table: after[table] - before[table] for table in after if after[table] != before[table]
    } == case.changes
