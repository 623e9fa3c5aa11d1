"""The password rules (review/auth/password_rules.py): each rule, their messages together, and properties."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from review.auth.password_rules import (
    MESSAGES,
    MIN_LENGTH,
    SAME_AS_USERNAME,
    TOO_COMMON,
    TOO_SHORT,
    common_passwords,
    folded,
    password_problems,
    read_common,
)

PROJECT = Path(__file__).resolve().parent.parent
LIST = PROJECT / "review" / "data" / "common-passwords.txt"


def test_a_good_password_passes():
    assert password_problems("ngựa ô chạy qua cầu", "bithu") == []
    assert password_problems("x" * MIN_LENGTH, "bithu") == []


@pytest.mark.parametrize("length", range(MIN_LENGTH))
def test_fewer_than_ten_characters_are_refused(length):
    assert password_problems("ẻ" * length, "bithu") == [TOO_SHORT]


def test_length_is_counted_in_nfc():
    """A letter typed as a base and combining marks is one character."""
    decomposed = unicodedata.normalize("NFD", "ễ") * 9  # 27 code points, 9 letters
    assert len(decomposed) > MIN_LENGTH
    assert password_problems(decomposed, "bithu") == [TOO_SHORT]
    assert password_problems(unicodedata.normalize("NFD", "ễ") * MIN_LENGTH, "bithu") == []


def test_the_messages_are_the_vietnamese_ones():
    assert TOO_SHORT == "Mật khẩu cần ít nhất 10 ký tự."
    assert SAME_AS_USERNAME == "Mật khẩu không được trùng tên đăng nhập."
    assert TOO_COMMON == "Mật khẩu này quá phổ biến, dễ bị đoán: chọn mật khẩu khác."
    assert MESSAGES == (TOO_SHORT, SAME_AS_USERNAME, TOO_COMMON)


@pytest.mark.parametrize(
    "password",
    ["nguyenvanbinh", "NguyenVanBinh", "NGUYENVANBINH", "  nguyenvanbinh ", "\tnguyenvanbinh\n"],
)
def test_the_username_is_refused_ignoring_case_and_surrounding_spaces(password):
    assert password_problems(password, "nguyenvanbinh") == [SAME_AS_USERNAME]


def test_the_username_is_compared_in_nfc():
    username = "trần.thị.hằng.nga"
    assert password_problems(unicodedata.normalize("NFD", username.upper()), username) == [SAME_AS_USERNAME]
    assert password_problems(username, unicodedata.normalize("NFD", username)) == [SAME_AS_USERNAME]


def test_a_password_that_only_contains_the_username_passes():
    assert password_problems("bithu-của-chi-bộ", "bithu") == []
    assert password_problems("nguyenvanbinh1", "nguyenvanbinh") == []


def test_no_username_checks_nothing_of_it():
    assert password_problems("          ", "") == []
    assert password_problems("          ", "   ") == []


@pytest.mark.parametrize(
    "password", ["matkhau123", "123456789a", "MatKhau123", " 1234567890 ", "Qwertyuiop", "anhyeuem123"]
)
def test_common_passwords_are_refused(password):
    assert password_problems(password, "bithu") == [TOO_COMMON]


def test_every_failed_rule_gives_its_message_in_order():
    assert password_problems("123456", "bithu") == [TOO_SHORT, TOO_COMMON]
    assert password_problems("bithu", "bithu") == [TOO_SHORT, SAME_AS_USERNAME, TOO_COMMON]
    assert password_problems("Admin", "admin") == [TOO_SHORT, SAME_AS_USERNAME, TOO_COMMON]
    assert password_problems("matkhau123", "matkhau123") == [SAME_AS_USERNAME, TOO_COMMON]
    assert password_problems("ngắn", "ngắn") == [TOO_SHORT, SAME_AS_USERNAME]


def test_a_list_can_be_given():
    assert password_problems("một câu rất riêng", "bithu", common={folded("Một câu rất riêng")}) == [TOO_COMMON]
    assert password_problems("matkhau123", "bithu", common=frozenset()) == []


def test_the_list_file_format():
    assert read_common("# a comment\n\n  Matkhau123  \r\n123456789A\n") == {"matkhau123", "123456789a"}


def test_the_shipped_list():
    text = LIST.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(lines) >= 300
    assert all(line == line.strip() and unicodedata.is_normalized("NFC", line) for line in lines)
    assert len({folded(line) for line in lines}) == len(lines), "a password listed twice"
    assert {"matkhau123", "123456789a", "anhyeuem123", "password123", "1234567890", "qwertyuiop"} <= common_passwords()
    assert sum(len(line) >= MIN_LENGTH for line in lines) >= 100, "the list is for passwords long enough"
    assert common_passwords() == read_common(text)


def test_the_rules_import_without_flask_or_the_database():
    script = (
        "import sys, importlib.util\n"
        "spec = importlib.util.spec_from_file_location('rules', 'review/auth/password_rules.py')\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "print('\\n'.join(m for m in sys.modules if m.startswith(('flask', 'sqlalchemy', 'werkzeug'))))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == []


# ---------------------------------------------------------------------------
# Properties

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20).filter(
    lambda s: folded(s) != ""
)
passwords = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@given(passwords, st.text(max_size=20))
def test_the_messages_are_a_subsequence_of_the_rules(password, username):
    problems = password_problems(password, username)
    assert problems == [m for m in MESSAGES if m in problems]


@given(passwords, st.text(max_size=20))
def test_each_rule_fails_exactly_when_it_should(password, username):
    problems = password_problems(password, username)
    assert (TOO_SHORT in problems) == (len(unicodedata.normalize("NFC", password)) < MIN_LENGTH)
    assert (SAME_AS_USERNAME in problems) == (folded(username) != "" and folded(password) == folded(username))
    assert (TOO_COMMON in problems) == (folded(password) in common_passwords())


@given(names, st.sampled_from([str.upper, str.lower, str.title, str.swapcase]), st.sampled_from(["", " ", "\t", "  "]))
def test_the_username_in_any_case_with_spaces_is_refused(username, case, space):
    variant = unicodedata.normalize("NFC", space + case(unicodedata.normalize("NFC", username)) + space)
    assume(folded(variant) == folded(username))  # a few letters change their folding with case (e.g. "ß")
    assert SAME_AS_USERNAME in password_problems(variant, username)
    assert SAME_AS_USERNAME in password_problems(unicodedata.normalize("NFD", variant), username)


@given(st.sampled_from(sorted(common_passwords())), st.sampled_from([str.upper, str.lower, str.title]))
def test_every_listed_password_is_refused_in_any_case(password, case):
    assert TOO_COMMON in password_problems(f" {case(password)} ", "bithu")


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=MIN_LENGTH, max_size=30))
def test_a_long_uncommon_password_that_is_not_the_username_passes(password):
    assume(len(unicodedata.normalize("NFC", password)) >= MIN_LENGTH and folded(password) not in common_passwords())
    assert password_problems(password, "bithu" if folded(password) != "bithu" else "khac") == []


def test_the_hint_beside_a_new_password_names_the_rules_from_their_constants() -> None:
    from review.auth.password_rules import MIN_LENGTH, new_password_hint

    assert new_password_hint().startswith(f"Ít nhất {MIN_LENGTH} ký tự, khác tên đăng nhập")
