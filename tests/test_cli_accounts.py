"""The command line for scripted accounts: ``user create --member ID`` and ``user link USERNAME``."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from review.auth.account_rules import COUNTER_ONLY, DISABLED_NO_LINK, MEMBER_ELSEWHERE
from review.auth.password_links import find_link
from review.extensions import db
from review.models import Cell, Member, PasswordLink, User

from helpers import PASSWORD


@pytest.fixture
def cell(app, runner, seed_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The seed's cell, a probationary member of it, and a second cell; return their ids."""
    monkeypatch.setenv("REVIEW_PASSWORD", PASSWORD)
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        seed = db.session.scalar(select(Cell))
        probationary = Member(
            cell_id=seed.id,
            code="m11",
            name="Đinh Văn Dự Bị",
            standing="probationary",
            position="member",
            admitted_on=date(2020, 5, 19),
        )
        other = Cell(organization_id=seed.organization_id, name="Chi bộ khác")
        db.session.add_all([probationary, other])
        db.session.commit()
        members = {m.code: m.id for m in seed.members}
        return {"cell": seed.id, "other": other.id, **members}


def create(runner, cell_id: int, member_id: int, role: str = "counter"):  # type: ignore[no-untyped-def]
    args = ["user", "create", "kp1", "--role", role, "--cell", str(cell_id), "--member", str(member_id)]
    return runner.invoke(args=args)


def test_user_create_links_a_counter_to_a_member(app, runner, cell):
    result = create(runner, cell["cell"], cell["m06"])
    assert result.exit_code == 0, result.output
    assert "Đỗ Thị Thanh Thủy" in result.output
    with app.app_context():
        user = db.session.get(User, int(result.output.strip().splitlines()[-1]))
        assert user.username == "kp1" and user.member_id == cell["m06"]


@pytest.mark.parametrize(
    ("which", "role", "message"),
    [
        ("m11", "counter", "đảng viên dự bị"),
        ("m06", "secretary", COUNTER_ONLY),  # the page's messages: service.link_member says them
        ("stranger", "counter", MEMBER_ELSEWHERE),
        ("nobody", "counter", MEMBER_ELSEWHERE),
    ],
)
def test_user_create_refuses_a_member_who_may_not_count_and_stores_nothing(app, runner, cell, which, role, message):
    cell_id = cell["other"] if which == "stranger" else cell["cell"]
    member_id = 99999 if which == "nobody" else cell["m06" if which == "stranger" else which]
    result = create(runner, cell_id, member_id, role)
    assert result.exit_code == 1, result.output
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "kp1")) is None


def test_user_link_prints_a_fresh_link_last(app, runner, cell, make_user):
    make_user("bithu", "secretary", cell_id=cell["cell"])
    first = runner.invoke(args=["user", "link", "bithu"])
    assert first.exit_code == 0, first.output
    link = first.output.strip().splitlines()[-1]
    assert "/auth/set-password/" in link and "hết hạn lúc" in first.output
    second = runner.invoke(args=["user", "link", "bithu"])
    newer = second.output.strip().splitlines()[-1]
    with app.app_context():
        assert find_link(link.rsplit("/", 1)[1]) is None  # revoked by the newer
        assert find_link(newer.rsplit("/", 1)[1]) is not None
        assert db.session.scalar(select(db.func.count()).select_from(PasswordLink)) == 2


def test_user_link_uses_the_base_url(app, runner, cell, make_user):
    make_user("bithu", "secretary", cell_id=cell["cell"])
    app.config["REVIEW_BASE_URL"] = "https://kiemdiem.example.vn/app"
    result = runner.invoke(args=["user", "link", "bithu"])
    assert result.output.strip().splitlines()[-1].startswith("https://kiemdiem.example.vn/app/auth/set-password/")


def test_user_link_of_an_unknown_account_exits_1(runner, cell):
    result = runner.invoke(args=["user", "link", "khongco"])
    assert result.exit_code == 1 and "Không có tài khoản" in result.output


def test_user_link_of_a_disabled_account_exits_1_and_issues_nothing(app, runner, cell, make_user):
    make_user("bithu", "secretary", cell_id=cell["cell"])
    assert runner.invoke(args=["user", "disable", "bithu"]).exit_code == 0
    result = runner.invoke(args=["user", "link", "bithu"])
    assert result.exit_code == 1 and DISABLED_NO_LINK.format(username="bithu") in result.output
    assert "/auth/set-password/" not in result.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PasswordLink)) == 0
