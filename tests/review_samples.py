"""A real output folder to review: reports of the gold set extracted by the batch runner (parsers only), with
their normalized texts in text/ (written here where the extract run has not written them itself)."""

from __future__ import annotations

import io
from pathlib import Path

from extractor.documents import load_document
from extractor.runs.local import BatchOptions, run_batch

DOCS = Path(__file__).parent.parent / "evals" / "docs"
SAMPLE = "02_hongzequ_2023"
"""A 2021-format PDF with two arithmetic warnings and ~190 values: the report page the tests read cell by cell."""
SOURCES = [
    "02_hongzequ_2023.pdf",
    "03_hongzequ_2024.pdf",
    "06_hebei_jyt_2013.txt",
    "09_hebei_jyt_2018.txt",
    "13_hebei_jyt_2021.txt",
    "11_hebei_gxt_2019.txt",
    "16_hebei_gxt_2020.txt",
    "001_8d8ab1cc33b56129.txt",
    "05_shanghai_szfbgt_2025.md",
]
MULTI_YEAR_BODY = "河北省教育厅"
"""Three reports (2013, 2018, 2021) in SOURCES."""


def extracted_folder(root: Path) -> Path:
    """Extract SOURCES into root/out and make sure every report has its text/<name>.txt."""
    inputs, out = root / "in", root / "out"
    inputs.mkdir(parents=True)
    for name in SOURCES:
        (inputs / name).write_bytes((DOCS / name).read_bytes())
    result = run_batch([str(inputs)], BatchOptions(out_dir=out), io.StringIO())
    assert result.extracted == len(SOURCES) and not result.failures
    for name in SOURCES:
        text = out / "text" / f"{Path(name).stem}.txt"
        if not text.exists():
            text.parent.mkdir(exist_ok=True)
            text.write_text(load_document(inputs / name).text, encoding="utf-8")
    return out
