"""English beside Vietnamese for the meeting file's problems, the set-up and the decision rules.

The core marks its messages (review/translatable.py); the shell translates them for the request's
language. In Vietnamese each message reads exactly as it is written; in English it is the catalog's.
"""

from __future__ import annotations

import json
import re

import pytest

from review import meetingfile, rules, vocabulary
from review.cli import SEED_FILE
from review.decision_rules import NUMBER_MESSAGE, PLACE_NAME, CellCase, CellState, assess, name_problem
from review.extensions import db
from review.i18n import translate
from review.meeting_edits import Refused
from review.models import Organization
from review.setup_rules import CELL, duplicate_message
from review.setup_store import create_organization

from helpers import csrf_token, signed_in

VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.IGNORECASE)


def seed_document() -> dict:  # type: ignore[type-arg]
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def english(app):  # type: ignore[no-untyped-def]
    return app.test_request_context(headers={"Accept-Language": "en"})


def test_the_words_inside_a_sentence_are_the_vocabularys_labels_lowered():
    for position, text in meetingfile.POSITION_IN_SENTENCE.items():
        assert text == vocabulary.lower_first(meetingfile.POSITION_LABELS[position])
    for reason, text in meetingfile.NOT_RATED_IN_SENTENCE.items():
        assert text == vocabulary.lower_first(rules.NOT_RATED_LABELS[reason])


def test_a_meeting_files_problems_read_in_english_and_unchanged_in_vietnamese(app):
    document = seed_document()
    document["bogus"] = 1
    document["members"][0]["sick_leave_months"] = "x"
    document["members"][1]["id"] = "cell"
    _, problems = meetingfile.parse(document)
    by_path = {meetingfile.format_path(p.path): p.message for p in problems}
    with english(app):
        shown = {path: translate(message) for path, message in by_path.items()}
    assert shown["bogus"] == 'Field "bogus" is not part of format party-review/1.'
    assert shown["members[0].sick_leave_months"] == "Expected a whole number, got a string."
    assert shown["members[1].id"].startswith('The id "cell" is reserved')
    assert not any(VIETNAMESE.search(text) for text in shown.values())
    with app.test_request_context():
        assert {path: translate(message) for path, message in by_path.items()} == by_path
    assert by_path["members[0].sick_leave_months"] == "Cần một số nguyên, nhận được một chuỗi."


def test_a_placement_problem_keeps_the_names_and_translates_the_rest(app):
    parsed, problems = meetingfile.parse(seed_document())
    assert parsed is not None and not problems
    (problem,) = meetingfile.placement_problems(parsed, parsed.parent, {"Chi bộ 9": False})
    with english(app):
        text = translate(problem.message)
    assert text.startswith(f'The party organisation has no cell "{parsed.cell}" (the name in the file).')
    assert "If the cell was renamed on the server" in text and '"Chi bộ 9"' in text
    assert not VIETNAMESE.search(text.replace(parsed.cell, "").replace("Chi bộ 9", ""))


def test_the_decision_rules_speak_english(app):
    unsealed = CellCase(key="1", name="Chi bộ số 1", state=CellState.RECORDING)
    blockers = assess([unsealed], rules.default_profile(2024), None).blockers
    with english(app):
        assert translate(blockers[0].text) == (
            "Chi bộ số 1: results not sealed, nor recorded as not reviewed this year."
        )
        assert translate(name_problem("", PLACE_NAME)) == "Enter the place."
        assert translate(NUMBER_MESSAGE).startswith("Write the decision's number as “15-QĐ/ĐU”")
    assert name_problem("", PLACE_NAME) == "Nhập địa danh."


def test_the_set_up_refuses_in_the_requests_language(app):
    with english(app), pytest.raises(Refused) as refused:
        create_organization("Đảng bộ phường Khác", "  ")
    assert refused.value.message == "Enter the place written on the documents' date line."
    with english(app):
        assert translate(duplicate_message(CELL, "Chi bộ 1")).startswith(
            "The party organisation already has a cell named “Chi bộ 1”"
        )


def test_the_organization_page_shows_the_stores_refusal_in_english(app, make_user):
    with app.app_context():
        organization = Organization(name="Đảng bộ phường Thượng Thanh", place="Thượng Thanh")
        db.session.add(organization)
        db.session.commit()
        organization_id = organization.id
    make_user("quantri", "admin")
    client = signed_in(app, "quantri")
    url = f"/admin/organizations/{organization_id}/edit"
    token = csrf_token(client, url)
    response = client.post(
        url,
        data={"csrf_token": token, "name": "Đảng bộ phường Thượng Thanh", "place": "", "superior": ""},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "Enter the place written on the documents&#39; date line." in response.get_data(as_text=True)


def test_the_set_up_command_line_speaks_english_when_told(app, runner, monkeypatch):
    app.config["CLI_LANGUAGE"] = "en"  # what REVIEW_LANGUAGE=en sets (review/config.py)
    created = runner.invoke(args=["organization", "create", "Đảng bộ phường Mới", "--place", "Mới"])
    assert created.exit_code == 0, created.output
    assert created.output.startswith("Created the party organisation Đảng bộ phường Mới.\n")
    refused = runner.invoke(args=["organization", "create", "Đảng bộ phường Khác"])
    assert refused.exit_code == 1
    assert "Place (--place): Enter the place written on the documents' date line." in refused.output
    unknown = runner.invoke(args=["cell", "create", "--organization", "999999", "Chi bộ số 2"])
    assert unknown.exit_code == 1 and "No party organisation with id 999999." in unknown.output


def test_the_decision_command_line_speaks_english_when_told(app, runner, monkeypatch):
    with app.app_context():
        organization = Organization(name="Đảng bộ phường Thượng Thanh", place="Thượng Thanh")
        db.session.add(organization)
        db.session.commit()
        organization_id = organization.id
    app.config["CLI_LANGUAGE"] = "en"  # what REVIEW_LANGUAGE=en sets (review/config.py)
    args = ["decision", "issue", str(organization_id), "2024", "--number", "15/QĐ", "--date", "15-01-2025"]
    result = runner.invoke(args=[*args, "--signer", "Nguyễn Văn A", "--title", "secretary"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "The decision cannot be issued; nothing was stored:"
    assert "--number: Write the decision's number as “15-QĐ/ĐU”: a number, a hyphen, “QĐ/ĐU”." in lines
    assert "--date: Cannot read the date “15-01-2025”: write it as YYYY-MM-DD, e.g. 2021-01-15." in lines
    assert "The organisation has no cells yet." in lines
