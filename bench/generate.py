"""Generate realistic organisations for the benchmarks: cells, a ward, a province.

Every cell is a meeting file (format 1) with Vietnamese names and review texts, a full
roll call, individual and collective reviews with named feedback, and a counted ballot
that ``rules.check_ballot`` accepts. The file is checked by ``meetingfile.parse`` and stored
by ``meeting_store.import_meeting``, the service behind ``flask meeting import``: the database
then holds exactly what the application would store, seal fingerprint included.

    python -m bench.generate cell 60 -o /tmp/cell-60.json       # one meeting file
    python -m bench.generate province --database-url URL         # 40 wards x 30 cells, 30,000 members
    python -m bench.generate province --members 500000 --database-url URL   # 667 wards, in bulk

A province goes through the bulk loader (bench/bulk.py: the rows import_meeting writes,
written a table at a time; checked against import_meeting by tests/test_bench_bulk.py);
``--import`` stores it one import_meeting a cell instead.

Deterministic: the same seed gives the same organisation.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from review import meetingfile
from review.meetingfile import MeetingFile
from review.rules import (
    CELL_ROW,
    PROFILES,
    Attendance,
    MemberFacts,
    Standing,
    is_reviewed,
    is_voter,
    not_rated_reason,
)

YEAR = 2024  # profile hd25-2023: new members neither reviewed nor rated
PROFILE = "hd25-2023"

# Family names with rough weights (per cent of the population).
FAMILIES = [
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9.5),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 3),
    ("Phan", 4.5),
    ("Vũ", 4),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 1.5),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1),
    ("Lý", 0.5),
    ("Đinh", 1),
    ("Trịnh", 0.8),
    ("Đào", 0.8),
    ("Mai", 0.4),
    ("Lương", 0.4),
    ("Tạ", 0.3),
    ("Chu", 0.3),
    ("Khuất", 0.1),
    ("Quách", 0.1),
    ("Kiều", 0.2),
    ("Tô", 0.2),
    ("Lại", 0.1),
]
MALE_MIDDLE = [
    "Văn",
    "Văn",
    "Đức",
    "Minh",
    "Quang",
    "Hữu",
    "Công",
    "Thành",
    "Xuân",
    "Ngọc",
    "Trung",
    "Đình",
    "Mạnh",
    "Tuấn",
    "Anh",
    "Quốc",
    "Việt",
    "Bá",
    "Duy",
    "Tiến",
]
FEMALE_MIDDLE = [
    "Thị",
    "Thị",
    "Thị",
    "Thu",
    "Ngọc",
    "Thanh",
    "Minh",
    "Phương",
    "Hồng",
    "Kim",
    "Thùy",
    "Mai",
    "Hải",
    "Diệu",
    "Bích",
    "Thúy",
]
FEMALE_SECOND = ["Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Kim", "Bích", "Lan", "Thúy", "Mỹ"]
MALE_GIVEN = [
    "Hùng",
    "Dũng",
    "Cường",
    "Tuấn",
    "Hải",
    "Long",
    "Nam",
    "Sơn",
    "Thắng",
    "Quân",
    "Hiếu",
    "Khánh",
    "Phúc",
    "Toàn",
    "Bình",
    "Tùng",
    "Đạt",
    "Huy",
    "Việt",
    "Trọng",
    "Kiên",
    "Thịnh",
    "Lâm",
    "Nghĩa",
    "Đông",
    "Khoa",
    "Vinh",
    "Hưng",
    "Hoàng",
    "Quyết",
    "Thái",
    "Lợi",
    "Phong",
    "Tâm",
    "Đức",
    "Chiến",
]
FEMALE_GIVEN = [
    "Hà",
    "Hương",
    "Lan",
    "Linh",
    "Trang",
    "Thảo",
    "Hằng",
    "Nga",
    "Huyền",
    "Yến",
    "Hạnh",
    "Dung",
    "Loan",
    "Nhung",
    "Oanh",
    "Phượng",
    "Thủy",
    "Tuyết",
    "Vân",
    "Xuân",
    "Hòa",
    "Nguyệt",
    "Ngân",
    "Quỳnh",
    "Diệp",
    "Liên",
    "Mai",
    "Uyên",
    "Giang",
    "Thư",
    "Hân",
    "Ánh",
    "Châu",
    "Lụa",
]

# Wards (phường) of a province-level city; the ward organisation is "Đảng bộ phường <name>".
WARDS = [
    "Thượng Thanh",
    "Đức Giang",
    "Việt Hưng",
    "Gia Thụy",
    "Ngọc Lâm",
    "Bồ Đề",
    "Sài Đồng",
    "Phúc Đồng",
    "Phúc Lợi",
    "Giang Biên",
    "Long Biên",
    "Thạch Bàn",
    "Cự Khối",
    "Ngọc Thụy",
    "Phúc Xá",
    "Trúc Bạch",
    "Vĩnh Phúc",
    "Cống Vị",
    "Liễu Giai",
    "Nguyễn Trung Trực",
    "Quán Thánh",
    "Ngọc Hà",
    "Điện Biên",
    "Đội Cấn",
    "Ngọc Khánh",
    "Kim Mã",
    "Giảng Võ",
    "Thành Công",
    "Hàng Bạc",
    "Hàng Bồ",
    "Hàng Buồm",
    "Hàng Đào",
    "Hàng Gai",
    "Cửa Đông",
    "Lý Thái Tổ",
    "Tràng Tiền",
    "Phan Chu Trinh",
    "Chương Dương",
    "Đồng Xuân",
    "Hàng Mã",
]
CELL_KINDS = [
    "Chi bộ Khu dân cư số {n}",
    "Chi bộ Tổ dân phố số {n}",
    "Chi bộ Trường Mầm non {ward} {n}",
    "Chi bộ Trường Tiểu học {ward} {n}",
    "Chi bộ Trường Trung học cơ sở {ward} {n}",
    "Chi bộ Trạm Y tế {n}",
    "Chi bộ Công an phường {n}",
    "Chi bộ Quân sự phường {n}",
    "Chi bộ Cơ quan Ủy ban nhân dân phường {n}",
    "Chi bộ Cơ quan Mặt trận Tổ quốc và các đoàn thể {n}",
]
LOCATIONS = ["Hội trường {cell}", "Nhà văn hóa {cell}", "Phòng họp {cell}"]

OPENINGS = [
    "chấp hành nghiêm chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước và quy định của địa phương",
    "giữ vững lập trường tư tưởng chính trị, có ý thức tổ chức kỷ luật, thực hiện tốt nguyên tắc tập trung dân chủ",
    "tích cực học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; giữ gìn phẩm chất đạo đức, lối sống giản dị",
    'không có biểu hiện suy thoái về tư tưởng chính trị, đạo đức, lối sống, "tự diễn biến", "tự chuyển hóa"',
]
WORK = [
    "hoàn thành các nhiệm vụ chuyên môn được giao đúng tiến độ, bảo đảm chất lượng",
    "tham gia đầy đủ các buổi sinh hoạt chi bộ, đóng đảng phí đúng quy định",
    "gương mẫu thực hiện và vận động gia đình, nhân dân nơi cư trú chấp hành tốt các quy định của khu dân cư",
    "tích cực tham gia công tác vệ sinh môi trường, phòng chống dịch bệnh và phong trào thi đua của phường",
    "thực hiện tốt nhiệm vụ được chi bộ phân công phụ trách tổ dân phố, nắm chắc tình hình nhân dân",
    "giữ mối liên hệ thường xuyên với chi ủy và nhân dân nơi cư trú theo Quy định 213-QĐ/TW",
    "chủ động đề xuất giải pháp nâng cao hiệu quả công việc, được tập thể ghi nhận",
]
SHORTCOMINGS = [
    "đôi lúc chưa mạnh dạn phê bình và tự phê bình trong sinh hoạt chi bộ",
    "việc nghiên cứu, học tập nghị quyết có lúc chưa thường xuyên",
    "thời gian dành cho công tác đoàn thể ở khu dân cư còn hạn chế",
    "có buổi sinh hoạt đến muộn do trùng lịch công tác",
    "việc ứng dụng công nghệ thông tin trong công việc còn chậm",
]
CAUSES = [
    "nguyên nhân chủ yếu là chủ quan, do khối lượng công việc chuyên môn lớn",
    "nguyên nhân một phần do điều kiện sức khỏe, một phần do chưa sắp xếp thời gian hợp lý",
    "nguyên nhân do bản thân chưa thật sự chủ động",
]
FEEDBACK = [
    "Đồng chí nhiệt tình, trách nhiệm trong công việc; cần mạnh dạn hơn trong phê bình và tự phê bình.",
    "Nhất trí với bản tự kiểm điểm; đề nghị đồng chí dành thêm thời gian cho công tác ở khu dân cư.",
    "Đồng chí gương mẫu, có uy tín với nhân dân; cần chú ý việc nghiên cứu nghị quyết thường xuyên hơn.",
    "Bản kiểm điểm nêu đúng ưu điểm; phần hạn chế cần nêu cụ thể hơn và có biện pháp khắc phục rõ ràng.",
    "Đồng chí hoàn thành tốt nhiệm vụ được giao, tích cực vận động nhân dân thực hiện chủ trương của phường.",
    "Đề nghị đồng chí tham gia sinh hoạt đúng giờ hơn, chủ động đóng góp ý kiến xây dựng chi bộ.",
]
RESPONSES = [
    "Đồng chí tiếp thu các ý kiến góp ý và sẽ khắc phục trong năm tới.",
    "Đồng chí cảm ơn các ý kiến góp ý, tiếp thu đầy đủ và cam kết sửa chữa những hạn chế đã nêu.",
    "Đồng chí tiếp thu, giải trình thêm về nguyên nhân khách quan và đề ra biện pháp khắc phục cụ thể.",
]
CONCLUSIONS = [
    "Chi bộ ghi nhận những ưu điểm; đề nghị đồng chí phát huy, khắc phục hạn chế đã nêu.",
    "Chi bộ nhất trí với bản tự kiểm điểm và các ý kiến góp ý; đề nghị đồng chí xây dựng kế hoạch khắc phục.",
    "Đồng chí có nhiều cố gắng trong năm; chi bộ đề nghị tiếp tục giữ vững phẩm chất, nâng cao chất lượng công việc.",
]
ABSENCE_REASONS = [
    "Đi công tác theo phân công của cơ quan",
    "Ốm, đang điều trị tại bệnh viện",
    "Việc gia đình đột xuất, đã báo cáo chi ủy",
    "Đi học tập trung dài hạn",
]
INVALID_REASONS = "Phiếu gạch xóa cả dòng tập thể chi bộ và không đánh dấu ô nào"


@dataclass(frozen=True)
class Person:
    name: str
    female: bool


def person(rng: random.Random) -> Person:
    """Return a Vietnamese full name: family, middle (one or two) and given name."""
    family = rng.choices([f for f, _ in FAMILIES], weights=[w for _, w in FAMILIES])[0]
    female = rng.random() < 0.55
    if female:
        middle = rng.choice(FEMALE_MIDDLE)
        if middle == "Thị" and rng.random() < 0.3:
            middle += " " + rng.choice(FEMALE_SECOND)
        return Person(f"{family} {middle} {rng.choice(FEMALE_GIVEN)}", True)
    return Person(f"{family} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}", False)


def summary(rng: random.Random, name: str) -> str:
    """Return a self-review of plausible length (about 500 to 900 characters)."""
    good = rng.sample(OPENINGS, 2) + rng.sample(WORK, rng.randint(2, 4))
    weak = rng.sample(SHORTCOMINGS, rng.randint(1, 2))
    return (
        f"Đồng chí {name} tự kiểm điểm. Về ưu điểm: " + "; ".join(good) + ". "
        "Về hạn chế, khuyết điểm: " + "; ".join(weak) + "; " + rng.choice(CAUSES) + ". "
        "Việc khắc phục hạn chế năm trước: đã có chuyển biến, được chi bộ ghi nhận. "
        "Năm tới đồng chí tiếp tục rèn luyện, nâng cao trình độ và hoàn thành tốt nhiệm vụ được giao."
    )


def collective_report(rng: random.Random, cell: str, year: int) -> str:
    """Return the cell's collective report (several paragraphs)."""
    return "\n".join(
        [
            f"Năm {year}, {cell} đã lãnh đạo đảng viên và nhân dân thực hiện thắng lợi nghị quyết của chi bộ. "
            + "; ".join(rng.sample(WORK, 3)).capitalize()
            + ".",
            "Chi bộ duy trì nền nếp sinh hoạt định kỳ, nội dung sinh hoạt có đổi mới, chú trọng sinh hoạt chuyên đề; "
            "công tác kiểm tra, giám sát được thực hiện theo kế hoạch; không có đảng viên vi phạm phải xử lý kỷ luật.",
            "Hạn chế: " + "; ".join(rng.sample(SHORTCOMINGS, 2)) + "; " + rng.choice(CAUSES) + ".",
            f"Phương hướng năm {year + 1}: nâng cao chất lượng sinh hoạt chi bộ, phát huy vai trò tiên phong, gương mẫu "
            "của đảng viên, làm tốt công tác phát triển đảng viên mới.",
        ]
    )


LEVEL_WEIGHTS = {"excellent": 12, "good": 76, "completed": 10, "not_completed": 2}
NEIGHBOURS = {"excellent": "good", "good": "completed", "completed": "good", "not_completed": "completed"}


def row_votes(rng: random.Random, valid: int, level: str) -> dict[str, int]:
    """Return one ballot row: most valid votes on ``level``, a few on its neighbour, some blank."""
    votes = {"excellent": 0, "good": 0, "completed": 0, "not_completed": 0, "blank": 0}
    blank = min(valid, rng.choice((0, 0, 0, 1)))
    rest = valid - blank
    main = round(rest * rng.uniform(0.75, 1.0))
    votes[level] = main
    votes[NEIGHBOURS[level]] += rest - main
    votes["blank"] = blank
    return votes


def cell_document(
    rng: random.Random, parent: str, place: str, cell: str, size: int, year: int = YEAR
) -> dict[str, Any]:
    """Return one cell's meeting file (a JSON document) with ``size`` members."""
    day = date(year, 12, rng.randint(2, 20))
    starts = datetime(day.year, day.month, day.day, rng.choice((8, 14)), rng.choice((0, 30)))
    committee_size = 0 if size < 9 else min(5, max(1, size // 20))
    people = [person(rng) for _ in range(size)]
    members: list[dict[str, Any]] = []
    for i, who in enumerate(people):
        if i == 0:
            position = "secretary"
        elif i == 1 and size >= 3:
            position = "deputy_secretary"
        elif i < 2 + committee_size:
            position = "committee"
        else:
            position = "member"
        leader = position != "member"
        roll = rng.random()
        if not leader and roll < 0.004:
            admitted = day - timedelta(days=rng.randint(30, 170))  # new member: fewer than six months
            standing = "probationary"
        elif not leader and roll < 0.06:
            admitted = day - timedelta(days=rng.randint(200, 360))
            standing = "probationary"
        else:
            admitted = date(rng.randint(1965 if size > 30 else 1980, year - 2), rng.randint(1, 12), rng.randint(1, 28))
            standing = "official"
        member: dict[str, Any] = {
            "id": f"m{i + 1:03d}",
            "name": who.name,
            "standing": standing,
            "position": position,
            "admitted_on": admitted.isoformat(),
        }
        if not leader and standing == "official" and admitted.year < 1975 and rng.random() < 0.5:
            member["exempt"] = True  # elderly members excused from activity
        elif not leader and standing == "official" and rng.random() < 0.01:
            member["temporary_elsewhere"] = True
        if not leader and rng.random() < 0.005:
            member["disciplined_in_year"] = True
        if not leader and rng.random() < 0.01:
            member["sick_leave_months"] = rng.randint(1, 5)
        if standing == "official" and admitted.year < year - 1:
            member["previous_level"] = rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]
        absent = rng.random()
        if not leader and (absent < 0.06 or (member.get("exempt") and absent < 0.6)):
            member["attendance"] = "absent_excused"
            member["absence_reason"] = rng.choice(ABSENCE_REASONS)
        elif not leader and absent < 0.07:
            member["attendance"] = "absent"
        else:
            member["attendance"] = "present"
        members.append(member)

    facts = [
        MemberFacts(
            key=m["id"],
            standing=Standing(m["standing"]),
            admitted_on=date.fromisoformat(m["admitted_on"]),
            attendance=Attendance(m["attendance"]),
            exempt=m.get("exempt", False),
            temporary_elsewhere=m.get("temporary_elsewhere", False),
            disciplined_in_year=m.get("disciplined_in_year", False),
        )
        for m in members
    ]
    rules = PROFILES[PROFILE]
    present_ids = [m["id"] for m in members if m["attendance"] == "present"]
    for m, f in zip(members, facts, strict=True):
        if not is_reviewed(f, day, rules):
            continue
        speakers = [p for p in present_ids if p != m["id"]]
        feedback = [
            {"by": by, "text": rng.choice(FEEDBACK)}
            for by in rng.sample(speakers, min(len(speakers), rng.randint(1, 3)))
        ]
        m["review"] = {
            "summary": summary(rng, m["name"]),
            "self_level": rng.choices(list(LEVEL_WEIGHTS)[:3], weights=(20, 75, 5))[0],
            "response": rng.choice(RESPONSES),
            "feedback": feedback,
            "conclusion": rng.choice(CONCLUSIONS),
        }

    collective = [
        {
            "subject": "cell",
            "report": collective_report(rng, cell, year),
            "self_level": "good",
            "feedback": [
                {"by": by, "text": rng.choice(FEEDBACK)} for by in rng.sample(present_ids, min(3, len(present_ids)))
            ],
            "conclusion": "Hội nghị nhất trí với báo cáo kiểm điểm của tập thể chi bộ và các ý kiến đóng góp.",
            "remedy_plan": "Chi ủy xây dựng kế hoạch khắc phục hạn chế, phân công đồng chí phụ trách, báo cáo kết quả vào quý I.",
        }
    ]
    if committee_size:
        collective.append(
            {
                "subject": "committee",
                "report": "Chi ủy duy trì nền nếp làm việc, lãnh đạo chi bộ hoàn thành nhiệm vụ; "
                + rng.choice(SHORTCOMINGS)
                + ".",
                "self_level": "good",
                "feedback": [{"by": rng.choice(present_ids), "text": rng.choice(FEEDBACK)}],
                "conclusion": "Chi ủy tiếp thu ý kiến, khắc phục hạn chế trong năm tới.",
                "remedy_plan": "Chi ủy họp định kỳ hằng tháng, phân công rõ người, rõ việc.",
            }
        )

    voters = [f for f in facts if is_voter(f)]
    rated = [f.key for f in facts if not_rated_reason(f, day) is None]
    issued = returned = len(voters)
    invalid = 1 if returned > 20 and rng.random() < 0.3 else 0
    valid = returned - invalid
    rows: dict[str, dict[str, int]] = {}
    for key in rated:
        member = members[int(key[1:]) - 1]
        level = (
            "not_completed"
            if member.get("disciplined_in_year")
            else rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]
        )
        rows[key] = row_votes(rng, valid, level)
    rows[CELL_ROW] = row_votes(rng, valid, rng.choices(("excellent", "good"), weights=(25, 75))[0])
    counter_pool = [f.key for f in voters if members[int(f.key[1:]) - 1]["position"] == "member"] or [
        f.key for f in voters
    ]
    counters = rng.sample(counter_pool, min(3, len(counter_pool)))
    present = len(present_ids)
    return {
        "format": meetingfile.FORMAT,
        "organization": {"parent": parent, "cell": cell, "place": place},
        "year": year,
        "rules": {"profile": PROFILE},
        "meeting": {
            "starts_at": starts.isoformat(timespec="minutes"),
            "ends_at": (starts + timedelta(hours=3 if size < 100 else 7)).isoformat(timespec="minutes"),
            "location": rng.choice(LOCATIONS).format(cell=cell.removeprefix("Chi bộ ")),
            "chair": members[0]["id"],
            "minute_taker": members[1]["id"] if size > 1 else members[0]["id"],
            "guests": [{"name": person(rng).name, "title": f"Đảng ủy viên, phụ trách chi bộ, Đảng ủy phường {place}"}],
            "minutes_approved_by": present - rng.choice((0, 0, 1)),
        },
        "members": members,
        "collective_reviews": collective,
        "ballot": {
            "counters": counters,
            "issued": issued,
            "returned": returned,
            "invalid": invalid,
            "invalid_reasons": INVALID_REASONS if invalid else "",
            "rows": rows,
        },
    }


def cell_file(rng: random.Random, parent: str, place: str, cell: str, size: int) -> MeetingFile:
    """Return one cell's meeting, checked whole by the meeting file reader (it must have no problem)."""
    document = cell_document(rng, parent, place, cell, size)
    parsed, problems = meetingfile.parse(document)
    if parsed is None:
        raise AssertionError(
            "generated an invalid meeting file: "
            + "; ".join(f"{meetingfile.format_path(p.path)}: {p.message}" for p in problems[:5])
        )
    result = parsed.evaluate()
    assert not result.ballot_problems and result.quorum_met, (cell, result.ballot_problems)
    return parsed


def ward_cells(
    rng: random.Random, ward_index: int, cells: int, sizes: Callable[[random.Random], int]
) -> Iterator[MeetingFile]:
    """Yield the meetings of one ward organisation's ``cells`` cells."""
    place = WARDS[ward_index % len(WARDS)] + ("" if ward_index < len(WARDS) else f" {ward_index // len(WARDS) + 1}")
    parent = f"Đảng bộ phường {place}"
    for n in range(1, cells + 1):
        kind = CELL_KINDS[0] if n > len(CELL_KINDS) * 2 else CELL_KINDS[(n - 1) % len(CELL_KINDS)]
        yield cell_file(rng, parent, place, kind.format(n=n, ward=place), sizes(rng))


def province_size(rng: random.Random) -> int:
    """Return a cell size: 8 to 42 members, 25 on average (40 x 30 cells: about 30,000 members)."""
    return rng.randint(8, 42)


def store(meetings: Iterator[MeetingFile], progress: Callable[[int, int], None] | None = None) -> list[int]:
    """Store meetings through ``meeting_store.import_meeting``; return their ids (needs an app context)."""
    from review.meeting_store import import_meeting

    ids, members = [], 0
    for mf in meetings:
        meeting = import_meeting(mf)
        ids.append(meeting.id)
        members += len(mf.members)
        if progress is not None:
            progress(len(ids), members)
    return ids


def bulk_store(meetings: Iterator[MeetingFile], progress: Callable[[int, int], None] | None = None) -> list[int]:
    """Store meetings through ``bench.bulk.BulkLoader``: the rows ``import_meeting`` writes, in bulk (app context)."""
    from review.extensions import db

    from .bulk import BulkLoader

    members = 0
    with db.engine.connect() as connection:
        loader = BulkLoader(connection)
        for mf in meetings:
            loader.add(mf)
            members += len(mf.members)
            if progress is not None:
                progress(len(loader.meetings), members)
        return loader.finish()


DECISION_REASON = (
    "Đảng ủy cân đối tỉ lệ Hoàn thành xuất sắc toàn Đảng bộ theo quy định; mức này phù hợp kết quả thực hiện nhiệm vụ."
)


def _within_quota(cases: list[Any], counts: dict[str, int], assessment: Any, quota: Any) -> dict[int, Any]:
    """Return the cases (members or cells, by id) to lower from excellent to good until the quota holds."""
    from review.decision_rules import quota_of
    from review.rules import Level

    lowered: dict[int, Any] = {}
    counts = dict(counts)
    excellent = [case for case in cases if case.decided_level is Level.EXCELLENT]
    while quota.exceeded and excellent:
        lowered[int(excellent.pop().key)] = Level.GOOD
        counts[Level.EXCELLENT] -= 1
        counts[Level.GOOD] += 1
        quota = quota_of(counts, assessment.pool_option, assessment.ratio)
    return lowered


def decide_ward(organization_id: int, year: int, number: int) -> None:
    """Have the ward's committee decide and issue its decision (SPEC 9) through ``review.decisions``.

    The committee takes every proposal, gives an undecided member or cell "good", and lowers
    the last proposed excellent members and cells to "good" until the quotas hold, with a
    reason; then it issues decision ``number`` (app context).
    """
    from review import decisions
    from review.database import write_transaction
    from review.decision_rules import Issue, SignerTitle, member_counts
    from review.extensions import db
    from review.models import Organization
    from review.rules import Level

    organization = db.session.get(Organization, organization_id)
    assert organization is not None
    gathered = decisions.gather(organization, year)
    assessment = gathered.assessment
    cells = [cell for cell in gathered.cells if cell.in_decision]
    members = [m for cell in cells for m in cell.members if m.rated]
    member_levels = {int(m.key): Level.GOOD for m in members if m.decided_level is None}
    cell_levels = {int(c.key): Level.GOOD for c in cells if c.decided_level is None}
    member_levels |= _within_quota(members, member_counts(cells), assessment, assessment.member_quota)
    cell_levels |= _within_quota(cells, assessment.cells, assessment, assessment.cell_quota)
    with write_transaction():
        if member_levels or cell_levels:
            decisions.choose_levels(organization, year, member_levels, cell_levels, DECISION_REASON, None)
    gathered = decisions.gather(organization, year)
    version = str(gathered.decision.version) if gathered.decision is not None else "0"
    day = max(gathered.latest_meeting_day or date(year, 12, 1), date(year, 12, 20))
    header = Issue(f"{number}-QĐ/ĐU", day, organization.place, "Nguyễn Văn An", SignerTitle("secretary"))
    with write_transaction():
        decisions.issue(organization, year, header, None, version)


def wards_for(members: int, cells: int = 30) -> int:
    """Return how many wards of ``cells`` cells of ``province_size`` members hold about ``members`` members."""
    return max(1, round(members / (cells * 25)))


def build(  # type: ignore[no-untyped-def]
    app,
    kind: str,
    size: int = 25,
    seed: int = 2024,
    wards: int = 40,
    cells: int = 30,
    bulk: bool = False,
    decisions: bool = False,
) -> dict[str, Any]:
    """Fill the app's database with a cell of ``size``, a ward of ``cells`` cells, or a province.

    ``bulk``: the province through the bulk loader (bench/bulk.py) instead of ``import_meeting``;
    ``decisions``: each ward's committee then issues its decision (``decide_ward``).
    """
    rng = random.Random(seed)
    started = time.perf_counter()
    with app.app_context():
        if kind == "cell":
            ids = store(
                iter(
                    [
                        cell_file(
                            rng, "Đảng bộ phường Thượng Thanh", "Thượng Thanh", f"Chi bộ Khu dân cư số {size}", size
                        )
                    ]
                )
            )
        elif kind == "ward":
            ids = store(ward_cells(rng, 0, cells, lambda r: size))
        else:

            def each() -> Iterator[MeetingFile]:
                for w in range(wards):
                    yield from ward_cells(rng, w, cells, province_size)

            def tick(done: int, members: int) -> None:
                if done % cells == 0:
                    print(
                        f"  {done // cells}/{wards} phường, {members} đảng viên, {time.perf_counter() - started:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )

            ids = (bulk_store if bulk else store)(each(), tick)
            if decisions:
                from sqlalchemy import select

                from review.extensions import db
                from review.models import Organization

                for number, organization_id in enumerate(db.session.scalars(select(Organization.id)).all(), 1):
                    decide_ward(organization_id, YEAR, number)
                    db.session.expunge_all()
                    if number % 50 == 0 or number == wards:
                        print(
                            f"  {number}/{wards} quyết định, {time.perf_counter() - started:.0f} s",
                            file=sys.stderr,
                            flush=True,
                        )
    return {"meetings": ids, "seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> None:
    """Write a cell's meeting file, or fill a database with a cell, a ward or a province."""
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=("cell", "ward", "province"))
    parser.add_argument("size", nargs="?", type=int, default=25, help="members a cell (cell, ward)")
    parser.add_argument("-o", "--output", type=Path, help="cell: write the meeting file here")
    parser.add_argument("--database-url", help="store into this database (schema created if missing)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--members", type=int, default=30_000, help="province: about this many members (30 cells a ward, 25 a cell)"
    )
    parser.add_argument(
        "--import", dest="through_import", action="store_true", help="province: one import_meeting a cell, not bulk"
    )
    args = parser.parse_args(argv)
    if args.output is not None:
        rng = random.Random(args.seed)
        document = cell_document(
            rng, "Đảng bộ phường Thượng Thanh", "Thượng Thanh", f"Chi bộ Khu dân cư số {args.size}", args.size
        )
        args.output.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        return
    if not args.database_url:
        parser.error("give -o PATH or --database-url URL")
    from review import create_app
    from review.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        db.create_all()
    done = build(
        app,
        args.kind,
        args.size,
        args.seed,
        wards=wards_for(args.members),
        bulk=not args.through_import,
        decisions=args.kind == "province",  # every ward's committee issues its decision
    )
    print(f"{len(done['meetings'])} hội nghị trong {done['seconds']:.1f} s")


if __name__ == "__main__":
    main()
