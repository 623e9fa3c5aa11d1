"""The scripted set-up: organization create/list, cell create/list, and demo --empty-cell on a demo database."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from review import clock
from review.cli import EMPTY_CELL_NAME
from review.extensions import db
from review.models import Cell, Organization, User


def invoke(runner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(args=list(args))


def created_id(result) -> int:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    last = result.output.rstrip("\n").split("\n")[-1]
    assert re.fullmatch(r"\d+", last), result.output
    return int(last)


def counts(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Organization)),
            db.session.scalar(select(func.count()).select_from(Cell)),
        )


def test_organizations_and_cells_are_created_and_listed(app, runner):
    first = created_id(
        invoke(runner, "organization", "create", "Đảng bộ phường Thượng Thanh", "--place", "Thượng Thanh",
               "--superior", "Đảng bộ quận Long Biên")
    )  # fmt: skip
    second = created_id(invoke(runner, "organization", "create", "Đảng bộ phường Ngọc Thụy", "--place", "Ngọc Thụy"))
    cell = created_id(invoke(runner, "cell", "create", "--organization", str(first), "Chi bộ số 1", "--committee"))
    other = created_id(
        invoke(runner, "cell", "create", "--organization", str(second), "Chi bộ số 1", "--place", "Tổ 3")
    )
    with app.app_context():
        organization = db.session.get(Organization, first)
        assert (organization.place, organization.superior) == ("Thượng Thanh", "Đảng bộ quận Long Biên")
        made = db.session.get(Cell, cell)
        assert (made.organization_id, made.place, made.has_committee) == (first, "", True)
        assert db.session.get(Cell, other).place == "Tổ 3"
    listed = invoke(runner, "organization", "list")
    assert listed.exit_code == 0
    assert listed.output == f"{first}\tĐảng bộ phường Thượng Thanh\n{second}\tĐảng bộ phường Ngọc Thụy\n"
    assert invoke(runner, "cell", "list").output == f"{cell}\tChi bộ số 1\t{first}\n{other}\tChi bộ số 1\t{second}\n"
    assert invoke(runner, "cell", "list", "--organization", str(second)).output == f"{other}\tChi bộ số 1\t{second}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("organization", "create", "ĐẢNG BỘ PHƯỜNG THƯỢNG THANH"), "Đã có đảng bộ tên"),
        (("organization", "create", "  "), "Nhập tên đảng bộ."),
        (("organization", "create", "Đảng bộ\x1bmới"), "ký tự điều khiển"),
        (("organization", "create", "Đảng bộ mới", "--place", "Tổ\x00"), "Địa danh (--place): Có ký tự điều khiển"),
        (("organization", "create", "x" * 201), "Tối đa 200 ký tự"),
        (("cell", "create", "--organization", "{org}", "chi bộ  số 1"), "Đảng bộ đã có chi bộ tên “Chi bộ số 1”"),
        (("cell", "create", "--organization", "{org}", ""), "Nhập tên chi bộ."),
        (("cell", "create", "--organization", "{org}", "Chi bộ\u2028số 2"), "ký tự điều khiển"),
        (("cell", "create", "--organization", "999999", "Chi bộ số 2"), "Không có đảng bộ mã 999999."),
        (("cell", "create", "--organization", "{archived}", "Chi bộ số 2"), "Đảng bộ đã được lưu trữ"),
        (("cell", "list", "--organization", "999999"), "Không có đảng bộ mã 999999."),
    ],
)
def test_every_problem_is_a_message_and_exit_1_storing_nothing(app, runner, args, message):
    org = created_id(invoke(runner, "organization", "create", "Đảng bộ phường Thượng Thanh", "--place", "Thượng Thanh"))
    archived = created_id(invoke(runner, "organization", "create", "Đảng bộ phường Cũ", "--place", "Cũ"))
    created_id(invoke(runner, "cell", "create", "--organization", str(org), "Chi bộ số 1"))
    with app.app_context():
        db.session.get(Organization, archived).archived_at = clock.now()
        db.session.commit()
    before = counts(app)
    result = invoke(runner, *(a.format(org=org, archived=archived) for a in args))
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert counts(app) == before


@pytest.mark.parametrize("place", [None, "", "   "])
def test_an_organization_without_a_place_is_refused_as_on_the_page(app, runner, place):
    from review.setup_rules import PLACE_MISSING

    before = counts(app)
    args = ["organization", "create", "Đảng bộ phường Mới"] + ([] if place is None else ["--place", place])
    result = invoke(runner, *args)
    assert result.exit_code == 1, result.output
    assert f"Địa danh (--place): {PLACE_MISSING}" in result.output
    assert counts(app) == before


def test_demo_empty_cell_on_a_demo_database_adds_an_empty_cell_and_keeps_passwords(app, runner, login):
    first = invoke(runner, "demo")
    assert first.exit_code == 0, first.output
    passwords = dict(re.findall(r"^\s+\w+\s+(\w+)\s+(\S+)$", first.output, re.MULTILINE))
    assert set(passwords) == {"quantri", "danguy", "bithu", "kiemphieu"}
    result = invoke(runner, "demo", "--empty-cell")
    assert result.exit_code == 0, result.output
    assert f"Đã tạo chi bộ thử chưa có đảng viên: {EMPTY_CELL_NAME}" in result.output
    printed = dict(re.findall(r"^\s+\w+\s+(\w+)\s+(\S+)$", result.output, re.MULTILINE))
    assert set(printed) == {"bithu2"}  # only the account it created
    assert result.output.count("(mật khẩu giữ nguyên)") == 4
    with app.app_context():
        seed = db.session.scalar(select(Cell).where(Cell.name == "Chi bộ Trường Mầm non Thượng Thanh"))
        empty = db.session.scalar(select(Cell).where(Cell.name == EMPTY_CELL_NAME))
        assert empty.organization_id == seed.organization_id and empty.members == [] and empty.meetings == []
        assert db.session.scalar(select(User).where(User.username == "bithu2")).cell_id == empty.id
    assert login("bithu", passwords["bithu"]).status_code == 302  # the password printed first still works
    # Once more: nothing new, reported.
    again = invoke(runner, "demo", "--empty-cell")
    assert again.exit_code == 0 and "đã có" in again.output
    assert again.output.count("(mật khẩu giữ nguyên)") == 5
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cell)) == 3  # the seed's, the second, the empty one
