"""Chunking along the report's own headings, with offsets that point into the text."""

from __future__ import annotations

from extractor.chunking import chunk_document, paragraphs, section_starts, split_points


def _check_offsets(text, chunks):
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
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


def test_an_outline_heading_run_on_after_table_cells_opens_its_section():
    text = (
        "一、总体情况\n内容一。\n二、主动公开政府信息情况\n第二十条 0 0\n三、收到和处理政府信息公开申请情况\n0 0 0\n"
        "四、政府信息公开行政复议、行政诉讼情况\n0 0 0 0 0 五、存在的主要问题及改进情况2020年,我局……\n六、其他需要报告的事项\n无。"
    )
    chunks = chunk_document(text)
    _check_offsets(text, chunks)
    assert [c.section for c in chunks][-2:] == ["五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def test_a_numbered_phrase_that_is_no_outline_title_does_not_open_a_section_mid_line():
    text = "一、总体情况\n我们开展了二、三季度的检查 二、加强培训的工作。\n二、主动公开\n内容。"
    assert [c.section for c in chunk_document(text)] == ["一、总体情况", "二、主动公开"]


def test_hard_wrapped_lines_become_one_paragraph_but_titles_and_items_stay_apart():
    text = (
        "2020年,我局按照市政府关于政务公开工作的各项部署,紧密\n围绕中心工作,完善了制度。\n"
        "(一)主动公开情况\n一是公开了政府文件,\n二是回应了关切。\n"
    )
    spans = [text[a:b] for a, b in paragraphs(text)]
    assert spans == [
        "2020年,我局按照市政府关于政务公开工作的各项部署,紧密\n围绕中心工作,完善了制度。",
        "(一)主动公开情况",
        "一是公开了政府文件,",
        "二是回应了关切。",
    ]


def test_one_is_is_an_item_marker_after_a_comma_or_a_run_on_sub_heading():
    text = "存在以下问题,一是意识不强;二是更新不及时。(一)存在问题一是人员不足。"
    assert [p.text for p in split_points(text)] == ["存在以下问题,", "一是意识不强;", "二是更新不及时。", "(一)存在问题", "一是人员不足。"]
