"""Plain names of series for reasons: "DCE coking coal futures", not "coke price".

A reason names the series an indicator was computed on. The caller may pass names for
series ids (``names[series_id] = (中文, English)``, the same mapping that names materials);
otherwise the name is read from the id by the project's naming convention,
``<material>_<product>_<publisher>_<kind>`` (e.g. ``coke_coking_coal_dce_futures``), with the
words below. An id that does not follow it is named by its material and kind plus the id.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

Names = Mapping[str, tuple[str, str]]

#: Publishers and exchanges (they come first in a name).
PUBLISHERS: dict[str, tuple[str, str]] = {
    "dce": ("大商所", "DCE"),
    "shfe": ("上期所", "SHFE"),
    "czce": ("郑商所", "CZCE"),
    "gfex": ("广期所", "GFEX"),
    "lme": ("LME", "LME"),
    "nbs": ("国家统计局", "NBS"),
    "wb": ("世界银行", "World Bank"),
}
#: Products that differ from the material itself (inputs, grades, downstream products).
PRODUCTS: dict[str, tuple[str, str]] = {
    "coking_coal": ("焦煤", "coking coal"),
    "rebar": ("螺纹钢", "rebar"),
    "hrc": ("热轧卷板", "hot-rolled coil"),
    "crude_steel": ("粗钢", "crude steel"),
    "finished_steel": ("钢材", "finished steel"),
    "prnd_oxide": ("氧化镨钕", "PrNd oxide"),
    "kcl": ("氯化钾", "potassium chloride"),
    "kcl_import": ("进口氯化钾", "imported potassium chloride"),
    "dap": ("磷酸二铵", "DAP"),
    "phosphate_rock": ("磷矿石", "phosphate rock"),
    "fertilizer": ("化肥", "chemical fertilizer"),
    "primary_plastics": ("初级形态塑料", "primary plastics"),
    "li_ion_battery": ("锂离子电池", "Li-ion battery"),
    "solar_cell": ("太阳能电池", "solar cell"),
    "nev": ("新能源汽车", "new-energy vehicle"),
    "aluminium_products": ("铝材", "aluminium products"),
    "copper_products": ("铜材", "copper products"),
    "pig_iron": ("生铁", "pig iron"),
    "primary_aluminium": ("原铝", "primary aluminium"),
    "flat_glass": ("平板玻璃", "flat glass"),
    "alumina": ("氧化铝", "alumina"),
}
#: What the series is (they come last).
KINDS: dict[str, tuple[str, str]] = {
    "futures": ("期货", "futures"),
    "futures_weekly": ("期货周均价", "futures, weekly mean"),
    "spot": ("现货", "spot"),
    "spot_weekly": ("现货周均价", "spot, weekly mean"),
    "monthly": ("月均价", "monthly price"),
    "output": ("产量", "output"),
    "stocks": ("库存", "stocks"),
    "stocks_weekly": ("库存（周末值）", "stocks, end of week"),
    "basis": ("基差率", "basis"),
    "basis_weekly": ("基差率周均", "basis, weekly mean"),
    "term_spread": ("近远月价差", "near-far spread"),
    "term_spread_weekly": ("近远月价差周均", "near-far spread, weekly mean"),
    "cash_3m_spread": ("现货-三月价差", "cash-to-3-month spread"),
    "cash_3m_spread_weekly": ("现货-三月价差周均", "cash-to-3-month spread, weekly mean"),
    "imports": ("进口量", "imports"),
    "exports": ("出口量", "exports"),
}
#: The series the service sums from the whitelist enterprises' reports: reported_<field>.
REPORTED_PREFIX = "reported_"
#: How an unnamed series of each indicator kind is called after its material.
KIND_WORDS: dict[str, tuple[str, str]] = {
    "price": ("价", "price"),
    "output": ("产量", "output"),
    "inventory": ("库存", "stocks"),
    "import": ("进口", "imports"),
    "export": ("出口", "exports"),
    "spread": ("近远月价差", "near-far spread"),
    "basis": ("基差", "basis"),
    "downstream": ("下游产量", "downstream output"),
}


def material_name(material: str, names: Names | None) -> tuple[str, str]:
    """(中文, English) name of a material, its id as the fallback."""
    fallback = (material, material.replace("_", " ").capitalize())
    return (names or {}).get(material, fallback)


def series_label(
    series_id: str, material: str, indicator: str, names: Names | None
) -> tuple[str, str]:
    """(中文, English) name of a series, e.g. ("大商所焦煤期货", "DCE coking coal futures")."""
    given = (names or {}).get(series_id)
    if given is not None:
        return given
    zh, en = material_name(material, names)
    if series_id.startswith(REPORTED_PREFIX):  # summed from the enterprises' own reports
        kind_zh, kind_en = KIND_WORDS.get(indicator, (indicator, indicator))
        return f"报送企业{zh}{kind_zh}", f"Reporting enterprises' {_decapitalise(en)} {kind_en}"
    parsed = _parse(series_id, material)
    if parsed is None:
        kind_zh, kind_en = KIND_WORDS.get(indicator, (indicator, indicator))
        return f"{zh}{kind_zh}（{series_id}）", f"{en} {kind_en} ({series_id})"
    publisher, product, kind = parsed
    pub_zh, pub_en = PUBLISHERS.get(publisher, ("", "")) if publisher else ("", "")
    what_zh, what_en = PRODUCTS[product] if product else (zh, _decapitalise(en))
    kind_zh, kind_en = KINDS[kind]
    lead_en = f"{pub_en} {what_en}" if pub_en else what_en
    return f"{pub_zh}{what_zh}{kind_zh}", _capitalise(f"{lead_en} {kind_en}")


@lru_cache(maxsize=4096)
def _parse(series_id: str, material: str) -> tuple[str, str, str] | None:
    """(publisher, product, kind) from ``<material>_<product>_<publisher>_<kind>``, or None."""
    if not series_id.startswith(material + "_"):
        return None
    rest = series_id[len(material) + 1 :]
    kind = next((k for k in sorted(KINDS, key=len, reverse=True) if _ends(rest, k)), None)
    if kind is None:
        return None
    rest = rest[: -len(kind)].rstrip("_")
    publisher = ""
    for pub in PUBLISHERS:  # before or after the product: both orders are in use
        if rest == pub or rest.startswith(pub + "_"):
            publisher, rest = pub, rest[len(pub) :].lstrip("_")
            break
        if rest.endswith("_" + pub):
            publisher, rest = pub, rest[: -len(pub)].rstrip("_")
            break
    if rest and rest not in PRODUCTS:
        return None
    return publisher, rest, kind


def _ends(text: str, suffix: str) -> bool:
    return text == suffix or text.endswith("_" + suffix)


def _decapitalise(text: str) -> str:
    """ "Copper" -> "copper" inside a name; "PVC" stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
