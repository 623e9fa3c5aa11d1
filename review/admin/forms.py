"""Forms of the administrator's pages: a ward organisation, and the confirmation of its archiving."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import BaseForm
from ..setup_rules import NAME_MAX
from ..text import strip_nfc


class OrganizationForm(BaseForm):
    """A ward organisation: its name, the place of its documents' date line, its superior organisation.

    The name is checked by review/setup_rules.py (through review/setup_store.py) when saved:
    empty, or already another organisation's (NFC, case-folded), it is refused next to the field.
    """

    name = StringField(_l("Tên đảng bộ"), filters=[strip_nfc], validators=[Length(max=NAME_MAX)])
    place = StringField(
        _l("Địa danh"),
        filters=[strip_nfc],
        validators=[Length(max=NAME_MAX)],  # required: setup_rules.place_problem, asked when saved
    )
    superior = StringField(_l("Cấp ủy cấp trên"), filters=[strip_nfc], validators=[Length(max=NAME_MAX)])


class ArchiveForm(BaseForm):
    """The confirmation of archiving an organisation or a cell (every record is kept)."""

    confirm = BooleanField(
        _l("Tôi xác nhận lưu trữ: mọi hồ sơ được giữ nguyên, không xóa gì."),
        validators=[DataRequired(_l("Đánh dấu ô xác nhận để lưu trữ."))],
    )


class RestoreForm(BaseForm):
    """Restore an archived organisation or cell: the button alone (and its CSRF token)."""
