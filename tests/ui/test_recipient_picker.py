"""The recipient picker on its own: Vietnamese order (by given name, Á with A, Đ after D),
search without tone marks, a unit's tick box ticking its people."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.domain import User
from ui.recipient_picker import RecipientPicker, sorted_people


def person(pid: int, name: str, unit: str) -> User:
    return User.from_json(
        {
            "id": pid,
            "username": f"u{pid}",
            "full_name": name,
            "org_unit": {"id": len(unit), "name": unit},
        }
    )


PEOPLE = [
    person(1, "Lê Văn Đức", "Văn phòng"),
    person(2, "Trần Thị Ánh", "Văn phòng"),
    person(3, "Phạm Văn Dũng", "Văn phòng"),
    person(4, "Nguyễn Văn Bình", "Ban Giám đốc"),
    person(5, "Hoàng Văn An", "Văn phòng"),
    person(6, "Đặng Thị Yến", "Đội kiểm tra"),
]


def test_people_sort_by_given_name_in_vietnamese_order() -> None:
    names = [p.full_name.split()[-1] for p in sorted_people(PEOPLE)]
    assert names == ["An", "Ánh", "Bình", "Dũng", "Đức", "Yến"]  # code points: Đ after Y, Á after B


def test_units_search_and_ticks(qtbot: QtBot) -> None:
    picker = RecipientPicker(PEOPLE)
    qtbot.addWidget(picker)
    # "Đội kiểm tra" after "Ban Giám đốc", before "Văn phòng" (Đ sorts after D, not after V)
    assert [u.text(0) for u in picker.units()] == ["Ban Giám đốc", "Đội kiểm tra", "Văn phòng"]
    picker.search.setText("dang thi")
    shown = [
        item.text(0)
        for u in picker.units()
        for item in picker.people_items(u)
        if not item.isHidden()
    ]
    assert shown == ["Đặng Thị Yến"]
    assert [u.text(0) for u in picker.units() if not u.isHidden()] == ["Đội kiểm tra"]
    picker.search.setText("van phong")  # a unit's name shows all its people
    office = next(u for u in picker.units() if not u.isHidden())
    assert len([i for i in picker.people_items(office) if not i.isHidden()]) == 4
    office.setCheckState(0, Qt.CheckState.Checked)
    picker.search.clear()
    picker.people_items(picker.units()[0])[0].setCheckState(0, Qt.CheckState.Checked)
    assert picker.selected_ids() == [4, 5, 2, 3, 1]
