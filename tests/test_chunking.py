"""Chunking along the report's own headings, with offsets that point into the text."""

from __future__ import annotations

from extractor.chunking import chunk_document, section_starts


def _check_offsets(text, chunks):
    for chunk in chunks:
        assert chunk.text == text[chunk.start:chunk.end]
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)


def test_chunks_cover_the_whole_text_without_gaps():
    text = "某县2020年报告\n一、总体情况\n内容一。\n二、主动公开\n内容二。\n三、依申请公开\n内容三。"
    chunks = chunk_document(text)
    _check_offsets(text, chunks)
    assert "".join(c.text for c in chunks) == text
    assert [c.section for c in chunks] == ["", "一、总体情况", "二、主动公开", "三、依申请公开"]


def test_heading_numeral_quoted_inside_a_sentence_does_not_open_a_section():
    text = "一、总体情况\n我们做了工作,详见三、依申请公开。\n二、主动公开\n内容"
    assert [c.section for c in chunk_document(text)] == ["一、总体情况", "二、主动公开"]


def test_out_of_sequence_heading_is_not_a_section():
    text = "一、总体情况\n内容。\n三、跳号\n内容。\n二、主动公开\n内容。"
    chunks = chunk_document(text)
    assert [c.section for c in chunks] == ["一、总体情况", "二、主动公开"]
    assert "三、跳号" in chunks[0].text


def test_numbering_may_restart_at_one():
    text = "一、甲\n内容。\n二、乙\n内容。\n一、附表\n内容。"
    assert len(section_starts(text)) == 3


def test_long_section_is_split_on_its_subheadings_and_every_piece_fits():
    text = "一、问题\n" + "(一)第一条很长的子标题内容在这里。" * 3 + "(二)第二个。" * 2
    chunks = chunk_document(text, max_chars=30)
    _check_offsets(text, chunks)
    assert all(len(c.text) <= 30 for c in chunks)
    assert all(c.section == "一、问题" for c in chunks)
    assert any(c.text.startswith("(二)") for c in chunks)


def test_sentence_longer_than_the_limit_is_cut_hard():
    text = "一、概述 " + "字" * 50
    chunks = chunk_document(text, max_chars=20)
    _check_offsets(text, chunks)
    assert "".join(c.text for c in chunks) == text
    assert max(len(c.text) for c in chunks) == 20


def test_blank_text_gives_no_chunks():
    assert chunk_document("   \n ") == []
