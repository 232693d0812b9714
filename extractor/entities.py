"""One name per body across years: `meta.entity_canonical`, the body's full name with its region resolved
from the report itself.

Reports name the same body differently from year to year (洪泽区 / 淮安市洪泽区; 省人力资源社会保障厅 /
河北省人力资源和社会保障厅), so grouping by body breaks. `canonical_entity` turns the name as written
(`meta.entity`) into one full form:

1. common abbreviations of department names are expanded (人社厅, 人力资源社会保障厅 -> 人力资源和社会保障厅;
   the table is `extractor/data/abbreviations.csv`, ``short,full``, matched at the end of the name);
2. the region is completed, province first, from what the report states:

   - a name that starts with a province (河北省教育厅) or a municipality (上海市人民政府办公厅) is complete;
   - a name that starts with a prefecture-level city gets the city's province (淮安市 -> 江苏省淮安市; the
     table is `extractor/data/regions.csv`, ``province,prefecture``, every prefecture-level division);
   - a name that starts with a bare 省 (省人力资源社会保障厅) gets the one province the report names
     (河北省 in 《河北省实施…办法》), counting a named prefecture city as its province; one with a bare 市
     (市教育局) the one prefecture city the report names;
   - a county, district, township or other name without a region gets the prefecture city the report writes
     right before it (淮安市洪泽区), or else the one prefecture city the report names, and that city's
     province;

3. when the report does not settle it (no region named, or two provinces or two cities named), the name is
   left as written: a name that is not resolved is better than one resolved wrongly.

    >>> canonical_entity("洪泽区", "淮安市洪泽区2023年政府信息公开工作年度报告")
    '江苏省淮安市洪泽区'
    >>> canonical_entity("省人力资源社会保障厅", "根据《河北省实施〈条例〉办法》,省人力资源社会保障厅…")
    '河北省人力资源和社会保障厅'
    >>> canonical_entity("淮安市", "淮安市2024年政府信息公开工作年度报告")
    '江苏省淮安市'
    >>> canonical_entity("某县", "某县2019年政府信息公开工作年度报告")  # no region in the report: as written
    '某县'

A person's table `OUT/entities.csv` (``entity,entity_canonical``) overrides the result at output time (see
`extractor.dataset`).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import cache
from importlib import resources

MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


@cache
def prefecture_provinces() -> dict[str, str]:
    """Every prefecture-level division and its province, from `extractor/data/regions.csv`.

    >>> prefecture_provinces()["淮安市"], prefecture_provinces()["延边朝鲜族自治州"]
    ('江苏省', '吉林省')
    """
    return {prefecture: province for province, prefectures in _regions() for prefecture in prefectures}


@cache
def provinces() -> tuple[str, ...]:
    """The 31 provincial-level names of the mainland as written in full (河北省, 广西壮族自治区, 上海市)."""
    return tuple(province for province, _ in _regions())


def _regions() -> list[tuple[str, list[str]]]:
    text = resources.files("extractor").joinpath("data/regions.csv").read_text(encoding="utf-8")
    return [(row["province"], row["prefecture"].split()) for row in csv.DictReader(text.splitlines())]


@cache
def abbreviations() -> tuple[tuple[str, str], ...]:
    """(short, full) department-name pairs from `extractor/data/abbreviations.csv`, longest short form first."""
    text = resources.files("extractor").joinpath("data/abbreviations.csv").read_text(encoding="utf-8")
    pairs = [(row["short"], row["full"]) for row in csv.DictReader(text.splitlines())]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def expand_abbreviation(name: str) -> str:
    """The name with a common abbreviation at its end written in full.

    >>> expand_abbreviation("省人社厅"), expand_abbreviation("河北省人力资源和社会保障厅")
    ('省人力资源和社会保障厅', '河北省人力资源和社会保障厅')
    >>> expand_abbreviation("淮安市政府办")
    '淮安市人民政府办公室'
    """
    for short, full in abbreviations():
        if name.endswith(short) and not name.endswith(full):
            stem = name[: -len(short)]
            if short.startswith("政府") and stem.endswith("人民"):
                continue
            return stem + full
    return name


_BODY_END = re.compile(r"[\u4e00-\u9fff]{0,20}?(?:厅|局|委员会|委|办公厅|办公室|署|院|中心|人民政府|政府)")


def body_named_at_end(fragment: str) -> str | None:
    """The body's name that closes `fragment`, from the region it starts with (a province or prefecture), or
    None: a signature run together with the text before it.

    >>> body_named_at_end("六、其他需要报告的事项无河北省人力资源和社会保障厅")
    '河北省人力资源和社会保障厅'
    >>> body_named_at_end("保障群众的知情权和监督权") is None
    True
    """
    for place in _place_pattern().finditer(fragment):
        if _BODY_END.fullmatch(fragment, place.end()):
            return fragment[place.start() :]
    return None


def written_in_full(entity: str, text: str) -> str:
    """The body's full name when the name as written is short (省人社厅, 省科技厅) and `text` also writes the
    full one; else the name as written.

    >>> written_in_full("省科技厅", "2016年,省科技厅坚持…本报告的电子版可在河北省科学技术厅网站查询")
    '河北省科学技术厅'
    >>> written_in_full("省科技厅", "2016年,省科技厅坚持…")
    '省科技厅'
    """
    if expand_abbreviation(entity) == entity and not entity.startswith(("省", "市")):
        return entity
    full = canonical_entity(entity, text)
    return full if full and full in text else entity


def canonical_entity(entity: str | None, text: str) -> str | None:
    """The body's full name, region resolved from `text` (the report); the name as written when uncertain."""
    if not entity:
        return None
    name = expand_abbreviation(entity)
    if name.startswith(provinces()):
        return name
    cities = prefecture_provinces()
    city = next((c for c in sorted(cities, key=len, reverse=True) if name.startswith(c)), None)
    if city:
        return cities[city] + name
    if name.startswith("省"):
        province = _only(_named_provinces(text))
        return province + name[1:] if province else name
    if name.startswith("市"):
        city = _only(_named_cities(text))
        return cities[city] + city + name[1:] if city else name
    before = _city_written_before(name, text)
    city = before or _only(_named_cities(text))
    return cities[city] + city + name if city else name


def _only(counts: Counter[str]) -> str | None:
    """The one name counted, or None when there are none or several."""
    return next(iter(counts)) if len(counts) == 1 else None


def _named_provinces(text: str) -> Counter[str]:
    """The provinces `text` names: in full (河北省), or through a prefecture city it names (石家庄市)."""
    cities = prefecture_provinces()
    found: Counter[str] = Counter()
    for match in _place_pattern().finditer(text):
        place = match.group(0)
        if place not in MUNICIPALITIES:
            found[cities.get(place, place)] += 1
    return found


def _named_cities(text: str) -> Counter[str]:
    cities = prefecture_provinces()
    return Counter(place for place in _place_pattern().findall(text) if place in cities)


def _city_written_before(name: str, text: str) -> str | None:
    """The prefecture city the report writes right before `name` (淮安市洪泽区), when it writes only one."""
    written = {match.group(1) for match in re.finditer(f"({_place_pattern().pattern}){re.escape(name)}", text)}
    written &= set(prefecture_provinces())
    return written.pop() if len(written) == 1 else None


@cache
def _place_pattern() -> re.Pattern[str]:
    """Any province or prefecture name, longest first (one pass over a text finds them all)."""
    names = sorted({*provinces(), *prefecture_provinces()}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))
