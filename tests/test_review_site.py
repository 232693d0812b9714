"""`extractor review OUT` on real output folders: what it writes, what it says, and what it refuses."""

from __future__ import annotations

import json
import re

import pytest
from review_samples import SAMPLE, SOURCES, extracted_folder

from extractor.cli import main
from extractor.review.site import body_href, write_review


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return extracted_folder(tmp_path_factory.mktemp("site"))


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, err


def test_review_writes_a_page_per_report_and_per_body_with_several_years(out, capsys):
    code, err = _run(capsys, "review", str(out))
    assert code == 0
    site = out / "review"
    assert sorted(p.stem for p in (site / "reports").glob("*.html")) == sorted(p.split(".")[0] for p in SOURCES)
    bodies: dict[str, set[str]] = {}
    for path in out.glob("*.json"):
        meta = json.loads(path.read_text(encoding="utf-8"))["meta"]
        bodies.setdefault(meta["entity_canonical"] or meta["entity"], set()).add(meta["year"])
    several = [body for body, years in bodies.items() if len(years) > 1]
    assert len(several) >= 2  # 河北省教育厅 (2013, 2018, 2021), 河北省工业和信息化厅 (2019, 2020)
    assert len(list((site / "bodies").glob("*.html"))) == len(several)
    assert f"{len(SOURCES)} report pages, {len(several)} body pages" in err and "no compare.csv" in err


def test_bodies_are_grouped_by_canonical_name_else_by_name_as_written(out, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()

    def canonical(name: str | None) -> None:
        for stem in (SAMPLE, "03_hongzequ_2024"):  # 洪泽区 2023, 淮安市洪泽区 2024
            data = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
            data["meta"]["entity_canonical"] = name
            (folder / f"{stem}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    canonical(None)
    assert write_review(folder).bodies == 0
    canonical("江苏省淮安市洪泽区")
    assert write_review(folder).bodies == 1
    page = (folder / "review" / body_href("江苏省淮安市洪泽区")).read_text(encoding="utf-8")
    assert "<h1>江苏省淮安市洪泽区</h1>" in page and SAMPLE in page and "03_hongzequ_2024" in page


def test_pages_name_nothing_outside_their_folder(out):
    write_review(out)
    for page in (out / "review").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert '<meta charset="utf-8">' in html and "default-src 'none'" in html
        outside = set(re.findall(r"""(?:src|href)=["']?([^"' >]+)""", html)) - {"#"}
        assert all(not re.match(r"[a-z]+:", url) for url in outside), (page.name, outside)


def test_a_broken_json_is_named_and_the_rest_reviewed(out, tmp_path, capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / f"{SAMPLE}.json").write_bytes((out / f"{SAMPLE}.json").read_bytes())
    (folder / "cut.json").write_text('{"meta": {"entity": ', encoding="utf-8")
    (folder / "alien.json").write_text(json.dumps({"meta": {"colour": "red"}}), encoding="utf-8")
    code, err = _run(capsys, "review", str(folder))
    assert code == 1
    lines = err.strip().splitlines()
    assert [line for line in lines if "cut.json" in line] == ["extractor: cut.json: not a report JSON (Expecting value)"]
    assert any("alien.json: not a report JSON" in line for line in lines)
    assert "1 report(s) without their text/<name>.txt" in err
    assert (folder / "review" / "reports" / f"{SAMPLE}.html").is_file()


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_a_folder_without_reports_is_one_line_and_exit_2(tmp_path, capsys, make):
    folder = tmp_path / "out"
    if make == "empty":
        folder.mkdir()
    code, err = _run(capsys, "review", str(folder))
    assert code == 2 and len(err.strip().splitlines()) == 1 and str(folder) in err


def test_a_rerun_replaces_the_site_and_drops_pages_of_reports_that_left(out, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    for name in (SAMPLE, "03_hongzequ_2024"):
        (folder / f"{name}.json").write_bytes((out / f"{name}.json").read_bytes())
    write_review(folder)
    (folder / "03_hongzequ_2024.json").unlink()
    site = write_review(folder)
    assert site.reports == 1
    assert [p.name for p in (folder / "review" / "reports").iterdir()] == [f"{SAMPLE}.html"]
    assert sorted(p.name for p in folder.iterdir()) == [f"{SAMPLE}.json", "review"]
