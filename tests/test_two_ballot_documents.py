"""The documents of a meeting voted in two ballots (SPEC 5.8, 7): the two papers, the vote-count
minutes of both ballots, the minutes' sentence on the two votes, their routes, command and ZIP.

The meeting is the two-ballot example (/work/shared/examples, the seed voted in two ballots).
Every document is built once as a description and read back from its PDF (pypdf) and its Word
copy (python-docx); the expected figures come from the example's ballots and the rules core.
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from reports import docx_writer, pdf_writer
from reports.ballot import (
    SECOND_PAPER_MISSING,
    agree_cap_text,
    ballot_paper_document,
    second_ballot_paper_document,
    tally_sheet_document,
)
from reports.document import Document, Table, paragraphs
from reports.minutes import _percent, count_minutes_document, minutes_document, two_ballots_sentence
from review.extensions import db
from review.meetingfile import MeetingFile, loads
from review.models import Cell, Meeting
from review.rules import (
    CELL_ROW,
    LEVEL_LABELS,
    LEVEL_SHORT,
    AgreeCap,
    Level,
    agree_cap,
    passes_threshold,
    vote_level,
)
from review.vocabulary import BALLOT_NAMES, CELL_ROW_LABEL

from helpers import csrf_token, signed_in
from test_docx import squash, text_of
from test_reports import pdf_text

EXAMPLE = Path("/work/shared/examples/thuong-thanh-2020-two-ballots.json")
SECOND_PAPER = "ballot-paper-2"


def example() -> MeetingFile:
    mf, problems = loads(EXAMPLE.read_bytes())
    assert mf is not None, problems
    assert mf.two_ballots
    return mf


def both_texts(document: Document) -> tuple[str, str]:
    """Return the squashed text of the document's PDF and of its Word copy."""
    return squash(pdf_text(pdf_writer.render(document))), squash(text_of(docx_writer.render(document)))


def every_paragraph_in(document: Document) -> None:
    """Check that the PDF and the Word copy carry every paragraph of the description."""
    pdf, word = both_texts(document)
    for paragraph in paragraphs(document):
        plain = squash(paragraph.plain)
        assert plain in word, plain
        assert plain in pdf, plain


def tables(document: Document) -> list[Table]:
    return [block for block in document.blocks if isinstance(block, Table)]


def row_by_label(table: Table) -> dict[str, tuple[str, ...]]:
    """Return a table's body rows by their second cell (the name), each as its cells' plain text."""
    return {row[1].plain: tuple(cell.plain for cell in row) for row in table.rows[table.header_rows :]}


def heads(table: Table) -> list[str]:
    return [cell.plain for cell in table.rows[0]]


def name_of(mf: MeetingFile, key: str) -> str:
    return CELL_ROW_LABEL if key == CELL_ROW else next(m.name for m in mf.members if m.id == key)


# ---------------------------------------------------------------------------
# The papers


def test_ballot_one_offers_three_levels_and_the_cells_row_no_excellent_column():
    mf = example()
    document = ballot_paper_document(mf)
    (table,) = tables(document)
    assert len(table.widths_mm) == 5 == len(heads(table))
    levels = [Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED]
    assert heads(table)[2:] == [f"{LEVEL_LABELS[level]}\n({LEVEL_SHORT[level]})" for level in levels]
    rows = row_by_label(table)
    assert list(rows) == [m.name for m in mf.members] + [CELL_ROW_LABEL]
    pdf, word = both_texts(document)
    for text in (pdf, word):
        assert LEVEL_LABELS[Level.EXCELLENT] not in text and LEVEL_SHORT[Level.EXCELLENT] not in text
        assert "Phiếu vòng 1: xếp loại chất lượng" in text
        assert "Đánh dấu X vào một ô duy nhất trên mỗi dòng" in text
    every_paragraph_in(document)
    # The tally sheet of ballot 1 has no excellent column either.
    sheet = tally_sheet_document(mf)
    assert [h for h in heads(tables(sheet)[0])][2:5] == [LEVEL_SHORT[level] for level in levels]
    assert LEVEL_SHORT[Level.EXCELLENT] not in squash(pdf_text(pdf_writer.render(sheet)))


def test_a_single_ballot_paper_keeps_its_four_levels(seed_path):
    mf, problems = loads(seed_path.read_bytes())
    assert mf is not None and not mf.two_ballots, problems
    (table,) = tables(ballot_paper_document(mf))
    assert len(heads(table)) == 6 and LEVEL_SHORT[Level.EXCELLENT] in heads(table)[2]
    with pytest.raises(ValueError, match="bỏ phiếu một lần"):
        second_ballot_paper_document(mf)


def test_ballot_two_lists_the_candidates_with_agree_and_disagree_boxes():
    mf = example()
    result = mf.evaluate()
    assert result.candidates  # the example: every row reached good on ballot 1
    document = second_ballot_paper_document(mf)
    (table,) = tables(document)
    assert heads(table) == ["STT", "Họ và tên", "Đồng ý", "Không đồng ý"]
    member_candidates = [m.name for m in mf.members if m.id in result.candidates]
    expected = member_candidates + ([CELL_ROW_LABEL] if CELL_ROW in result.candidates else [])
    assert list(row_by_label(table)) == expected
    assert all(cells[2:] == ("", "") for cells in row_by_label(table).values())  # boxes to tick
    pdf, word = both_texts(document)
    for text in (pdf, word):
        assert "PHIẾU BIỂU QUYẾT" in text and "ĐỀ NGHỊ HOÀN THÀNH XUẤT SẮC NHIỆM VỤ NĂM 2020" in text
        assert "Đánh dấu X vào một ô duy nhất trên mỗi dòng" in text
        for name in expected:
            assert name in text
        assert "nhiều nhất" not in text  # the example has no agree cap
    every_paragraph_in(document)


def test_ballot_two_says_the_agree_cap_when_it_applies():
    mf = example()
    mf.rules = dataclasses.replace(mf.rules, agree_cap=AgreeCap.QUOTA)
    result = mf.evaluate()
    members = [key for key in result.candidates or () if key != CELL_ROW]
    cap = agree_cap(mf.rules, len(members))
    assert cap is not None
    line = agree_cap_text(cap, CELL_ROW in (result.candidates or ()))
    assert f"nhiều nhất {cap} đảng viên" in line
    pdf, word = both_texts(second_ballot_paper_document(mf))
    assert squash(line) in pdf and squash(line) in word


def test_ballot_two_has_no_paper_before_ballot_one_is_counted():
    mf = example()
    mf.ballot = None
    assert mf.evaluate().candidates is None
    with pytest.raises(ValueError) as error:
        second_ballot_paper_document(mf)
    assert str(error.value) == SECOND_PAPER_MISSING["not_counted"]


def test_ballot_two_paper_exists_while_ballot_two_is_still_to_count():
    mf = example()
    assert mf.ballot is not None
    mf.ballot.second = None
    result = mf.evaluate()
    assert result.awaiting_second_ballot and result.candidates
    (table,) = tables(second_ballot_paper_document(mf))
    assert len(row_by_label(table)) == len(result.candidates)
    count = [p.plain for p in paragraphs(count_minutes_document(mf, result, None))]
    assert "Chưa có kết quả kiểm phiếu vòng 2." in count
    assert two_ballots_sentence(result).endswith("Phiếu vòng 2 chưa có kết quả kiểm phiếu.")


# ---------------------------------------------------------------------------
# The vote-count minutes and the minutes


def test_count_minutes_report_both_ballots_with_their_figures():
    mf = example()
    result = mf.evaluate()
    ballot = mf.ballot
    assert ballot is not None and ballot.second is not None
    second = ballot.second
    document = count_minutes_document(mf, result, None)
    first_table, second_table, reached_table = tables(document)
    # Ballot 1: good, completed, not completed, blank and the ballot-1 level; no excellent column.
    assert heads(first_table)[2:] == ["HTTNV", "HTNV", "KHTNV", "Bỏ trống, hỏng", "Mức vòng 1"]
    for key, votes in ballot.rows.items():
        cells = row_by_label(first_table)[name_of(mf, key)]
        shares = [f"{v}\n({_percent(v, result.base)})" for v in (votes.good, votes.completed, votes.not_completed)]
        assert list(cells[2:5]) == shares
        assert cells[5] == str(votes.blank)
        assert cells[6] == LEVEL_SHORT[Level(vote_level(votes, result.base, mf.rules))]
    # Ballot 2: agree, disagree, blank and whether excellent is reached, one row per candidate.
    assert heads(second_table)[2:] == ["Đồng ý", "Không đồng ý", "Bỏ trống, hỏng", "Đạt HTXSNV"]
    assert len(row_by_label(second_table)) == len(result.candidates or ())
    for key, row in second.rows.items():
        cells = row_by_label(second_table)[name_of(mf, key)]
        assert list(cells[2:4]) == [f"{v}\n({_percent(v, result.base)})" for v in (row.agree, row.disagree)]
        reached = passes_threshold(Level.EXCELLENT, row.agree, result.base, mf.rules)
        assert cells[5] == ("Đạt" if reached else "Không đạt")
    # The level reached, combined.
    for member in result.members:
        cells = row_by_label(reached_table)[name_of(mf, member.key)]
        assert cells[-1] == LEVEL_SHORT[Level(member.vote_level)]
    assert row_by_label(reached_table)[CELL_ROW_LABEL][-1] == LEVEL_SHORT[Level(result.cell.vote_level)]
    # Each ballot's papers, in the PDF and the Word copy.
    pdf, word = both_texts(document)
    for papers in (ballot, second):
        sentence = (
            f"Số phiếu phát ra: {papers.issued}; số phiếu thu vào: {papers.returned}; "
            f"số phiếu hợp lệ: {papers.returned - papers.invalid}; số phiếu không hợp lệ: {papers.invalid}."
        )
        assert sentence in pdf and sentence in word
    for text in (pdf, word):
        assert f"1. {BALLOT_NAMES[1]}" in text and f"2. {BALLOT_NAMES[2]}" in text
        assert "T/M BAN KIỂM PHIẾU" in text
    every_paragraph_in(document)


def test_the_minutes_say_the_meeting_voted_twice():
    mf = example()
    result = mf.evaluate()
    sentence = two_ballots_sentence(result)
    candidates = result.candidates or ()
    excellent = sum(1 for m in result.members if m.vote_level == Level.EXCELLENT)
    assert sentence.startswith("Hội nghị bỏ phiếu hai lần")
    assert f"đối với {len(candidates)} trường hợp" in sentence
    assert f"Kết quả: {excellent} đồng chí" in sentence
    document = minutes_document(mf, result, None)
    pdf, word = both_texts(document)
    assert squash(sentence) in pdf and squash(sentence) in word
    assert "III- BẾ MẠC" in pdf and "III- BẾ MẠC" in word


def test_single_ballot_minutes_do_not_mention_two_ballots(seed_path):
    mf, _ = loads(seed_path.read_bytes())
    assert mf is not None
    result = mf.evaluate()
    minutes = [p.plain for p in paragraphs(minutes_document(mf, result, None))]
    assert not any("hai lần" in text for text in minutes)
    count = count_minutes_document(mf, result, None)
    assert len(tables(count)) == 1 and "HTXSNV" in heads(tables(count)[0])


# ---------------------------------------------------------------------------
# The routes, the command and the ZIP


def import_file(app, path: Path) -> tuple[int, int]:
    """Import a meeting file as review.meeting_store does; return the meeting's and its cell's ids."""
    from review.meeting_store import import_meeting

    mf, problems = loads(path.read_bytes())
    assert mf is not None, problems
    with app.app_context():
        meeting = import_meeting(mf)
        return meeting.id, meeting.cell_id


def test_the_secretary_downloads_ballot_two_as_pdf_and_word(app, make_user):
    meeting_id, cell_id = import_file(app, EXAMPLE)
    make_user("bithu", "secretary", cell_id=cell_id)
    client = signed_in(app, "bithu")
    mf = example()
    names = [name_of(mf, key) for key in mf.evaluate().candidates or ()]
    pdf = client.get(f"/meetings/{meeting_id}/documents/{SECOND_PAPER}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f"phieu-bieu-quyet-vong-2-2020-chi-bo-{cell_id}.pdf" in pdf.headers["Content-Disposition"]
    word = client.get(f"/meetings/{meeting_id}/documents/{SECOND_PAPER}.docx")
    assert word.status_code == 200 and word.mimetype == docx_writer.MIMETYPE
    for text in (squash(pdf_text(pdf.data)), squash(text_of(word.data))):
        assert "PHIẾU BIỂU QUYẾT" in text
        assert all(name in text for name in names)
    # Linked beside the other documents, and the vote-count minutes carry both ballots.
    results = client.get(f"/meetings/{meeting_id}/results").get_data(as_text=True)
    assert f"/meetings/{meeting_id}/documents/{SECOND_PAPER}.pdf" in results
    assert f"/meetings/{meeting_id}/documents/{SECOND_PAPER}.docx" in results
    count = squash(pdf_text(client.get(f"/meetings/{meeting_id}/documents/count-minutes.pdf").data))
    assert "Kết quả kiểm phiếu vòng 2" in count
    # Someone of no concern to the meeting reaches none of it.
    anonymous = app.test_client().get(f"/meetings/{meeting_id}/documents/{SECOND_PAPER}.pdf")
    assert anonymous.status_code == 302


def test_a_single_ballot_meeting_has_no_ballot_two_paper(app, make_user, seed_path):
    meeting_id, cell_id = import_file(app, seed_path)
    make_user("bithu", "secretary", cell_id=cell_id)
    client = signed_in(app, "bithu")
    assert client.get(f"/meetings/{meeting_id}/documents/{SECOND_PAPER}.pdf").status_code == 404
    assert client.get(f"/meetings/{meeting_id}/documents/{SECOND_PAPER}.docx").status_code == 404
    assert client.get(f"/meetings/{meeting_id}/documents/ballot-paper.pdf").status_code == 200
    results = client.get(f"/meetings/{meeting_id}/results").get_data(as_text=True)
    assert f"/documents/{SECOND_PAPER}." not in results and "/documents/ballot-paper.pdf" in results


def test_a_two_ballot_meeting_not_counted_yet_has_no_ballot_two_paper(app, make_user, tmp_path):
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    del document["ballot"]
    path = tmp_path / "recording.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    meeting_id, cell_id = import_file(app, path)
    make_user("bithu", "secretary", cell_id=cell_id)
    client = signed_in(app, "bithu")
    assert client.get(f"/meetings/{meeting_id}/documents/{SECOND_PAPER}.pdf").status_code == 404
    opening = client.get(f"/meetings/{meeting_id}/opening").get_data(as_text=True)
    assert f"/documents/{SECOND_PAPER}." not in opening and "/documents/ballot-paper.pdf" in opening
    paper = client.get(f"/meetings/{meeting_id}/documents/ballot-paper.pdf")
    assert paper.status_code == 200 and LEVEL_SHORT[Level.EXCELLENT] not in pdf_text(paper.data)


def test_ballot_two_paper_from_the_command_line(app, runner, seed_path, tmp_path):
    meeting_id, _ = import_file(app, EXAMPLE)
    output = tmp_path / "phieu-2.docx"
    result = runner.invoke(args=["meeting", "ballot-paper", str(meeting_id), "-o", str(output), "--ballot", "2"])
    assert result.exit_code == 0, result.output
    assert "Phiếu biểu quyết vòng 2" in result.output
    assert "Đồng ý" in squash(text_of(output.read_bytes()))
    first = tmp_path / "phieu-1.pdf"
    assert runner.invoke(args=["meeting", "ballot-paper", str(meeting_id), "-o", str(first)]).exit_code == 0
    assert LEVEL_SHORT[Level.EXCELLENT] not in pdf_text(first.read_bytes())
    # A meeting without ballot 2: a clear error, no file.
    single = json.loads(seed_path.read_text(encoding="utf-8"))
    single["organization"]["parent"] = "Đảng bộ phường Đức Giang"
    path = tmp_path / "single.json"
    path.write_text(json.dumps(single, ensure_ascii=False), encoding="utf-8")
    single_id, _ = import_file(app, path)
    missing = tmp_path / "none.pdf"
    result = runner.invoke(args=["meeting", "ballot-paper", str(single_id), "-o", str(missing), "--ballot", "2"])
    assert result.exit_code != 0 and SECOND_PAPER_MISSING["single"] in result.output
    assert not missing.exists()


def test_the_ward_zip_holds_ballot_two_paper_and_counts_it(app, make_user):
    meeting_id, cell_id = import_file(app, EXAMPLE)
    with app.app_context():
        organization_id = db.session.scalar(
            select(Cell.organization_id).join(Meeting, Meeting.cell_id == Cell.id).where(Meeting.id == meeting_id)
        )
    make_user("danguy", "ward", organization_id=organization_id)
    app.config["EXPORT_RUN_INLINE"] = True
    client = signed_in(app, "danguy")
    token = csrf_token(client, f"/organizations/{organization_id}")
    response = client.post(f"/organizations/{organization_id}/exports", data={"csrf_token": token, "year": "2020"})
    assert response.status_code == 303, response.get_data(as_text=True)
    job = response.headers["Location"]
    progress = client.get(f"{job}.json").get_json()
    assert progress["status"] == "done", progress
    data = client.get(f"{job}/download").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        for extension in ("pdf", "docx"):
            assert f"phieu-bieu-quyet-vong-2-2020-chi-bo-{cell_id}.{extension}" in names
            assert f"bien-ban-kiem-phieu-2020-chi-bo-{cell_id}.{extension}" in names
        paper = archive.read(f"phieu-bieu-quyet-vong-2-2020-chi-bo-{cell_id}.pdf")
    assert "PHIẾU BIỂU QUYẾT" in pdf_text(paper)
    # The planned count is what the ZIP holds: the three documents in two formats, and the decision's files.
    assert progress["done"] == progress["total"] == len(names)
