"""Generate the demo's sample directory: 268 obviously fictional enterprises, 23 key contacts.

    .venv/bin/python scripts/build_directory.py warning/data/directory.csv

Deterministic (a fixed seed). Names say 演示 / "Demo"; emails are under the reserved
``.example`` domain; unified social credit codes carry a valid check character. A few
enterprises have a webhook or a group robot on the demo's local receiver
(``http://127.0.0.1:8026``), which `warning demo` starts.
"""

from __future__ import annotations

import base64
import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warning.catalog import load_catalog
from warning.directory.credit_code import ALPHABET, check_character
from warning.directory.rows import COLUMNS

ENTERPRISES = 268
KEY_CONTACTS = 23
WEBHOOKS = 20
ROBOTS = 6
RECEIVER = "http://127.0.0.1:8026"
REGIONS = [
    ("110000", "北京"),
    ("130000", "河北"),
    ("140000", "山西"),
    ("150000", "内蒙古"),
    ("210000", "辽宁"),
    ("320000", "江苏"),
    ("330000", "浙江"),
    ("340000", "安徽"),
    ("350000", "福建"),
    ("360000", "江西"),
    ("370000", "山东"),
    ("410000", "河南"),
    ("420000", "湖北"),
    ("430000", "湖南"),
    ("440000", "广东"),
    ("450000", "广西"),
    ("510000", "四川"),
    ("520000", "贵州"),
    ("530000", "云南"),
    ("610000", "陕西"),
    ("620000", "甘肃"),
    ("640000", "宁夏"),
    ("650000", "新疆"),
]
SECTOR_ZH = {
    "ferrous": "钢铁",
    "nonferrous": "有色",
    "new_energy": "新能源材料",
    "fertilizer": "化肥",
    "chemicals": "化工",
    "building_materials": "建材",
}
FAMILY = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


def credit_code(rng: random.Random, region: str) -> str:
    body = "91" + region + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def secret(rng: random.Random) -> str:
    return "whsec_" + base64.b64encode(rng.randbytes(24)).decode()


def rows(rng: random.Random) -> list[dict[str, str]]:
    catalog = load_catalog()
    by_sector: dict[str, list[str]] = {}
    for material in catalog.materials:
        by_sector.setdefault(material.sector, []).append(material.id)
    sectors = sorted(by_sector)
    keys = set(rng.sample(range(ENTERPRISES), KEY_CONTACTS))
    hooks = set(rng.sample(range(ENTERPRISES), WEBHOOKS))
    robots = set(rng.sample(sorted(set(range(ENTERPRISES)) - hooks), ROBOTS))
    found = []
    for n in range(ENTERPRISES):
        region_code, region = rng.choice(REGIONS)
        sector = sectors[n % len(sectors)]
        code = credit_code(rng, region_code)
        name = f"演示{region}{SECTOR_ZH.get(sector, sector)}{n + 1:03d}有限公司（Demo）"
        for c in range(1 + (n % 5 == 0)):
            person = rng.choice(FAMILY) + rng.choice(GIVEN) + rng.choice(GIVEN)
            row = {column: "" for column in COLUMNS}
            row.update(
                enterprise=name,
                credit_code=code,
                key_contact=str(n in keys).lower(),
                contact=f"{person}（演示联系人）",
                email=f"contact{c + 1}@e{n + 1:03d}.example",
                language="en" if rng.random() < 0.2 else "zh",
                region=region,
                sector=sector,
                whitelist="true",
                phone=f"010-5555{n:04d}",
            )
            if n not in keys:
                materials = rng.sample(by_sector[sector], min(len(by_sector[sector]), 2))
                row.update(materials=",".join(sorted(materials)))
                row.update(min_level=rng.choice(["blue", "yellow", "yellow", "red"]))
            if c == 0 and n in hooks:
                row.update(webhook_url=f"{RECEIVER}/hooks/{code}", webhook_secret=secret(rng))
            if c == 0 and n in robots:
                kind = ("dingtalk", "wecom", "feishu")[len(found) % 3]
                row.update(
                    robot_kind=kind,
                    robot_url=f"{RECEIVER}/robots/{kind}/{code}?access_token=demo{n}",
                    robot_secret="" if kind == "wecom" else f"SEC{n:04d}demo",
                )
            found.append(row)
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    out = Path(argv[0])
    generated = rows(random.Random(2026))
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(generated)
    enterprises = {row["credit_code"] for row in generated}
    keys = {row["credit_code"] for row in generated if row["key_contact"] == "true"}
    print(f"{len(generated)} contacts of {len(enterprises)} enterprises ({len(keys)} key) -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
