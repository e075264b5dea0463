"""Nơi nhận at issuance: the agency's people grouped by unit, searchable without tone marks
("nguyen" finds "Nguyễn"), sorted the Vietnamese way, ticked one by one or a whole unit at once.

Names sort as Vietnamese lists do: by the given name (the last word), then the whole name, with
the Vietnamese collation (Á with A, Đ after D), not by code point."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

from PySide6.QtCore import QCollator, QLocale, Qt
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from desktop.domain import User

ID_ROLE = Qt.ItemDataRole.UserRole


def searchable(text: str) -> str:
    """`text` without tone marks and with đ as d, lower case: what people type."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D").casefold()


def vietnamese_collator() -> QCollator:
    collator = QCollator(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return collator


def given_name(full_name: str) -> str:
    """The tên: the last word of a Vietnamese full name."""
    words = full_name.split()
    return words[-1] if words else ""


def sorted_people(people: Iterable[User], collator: QCollator | None = None) -> list[User]:
    """`people` by given name, then full name, in Vietnamese order."""
    collator = collator or vietnamese_collator()

    def compare(a: User, b: User) -> int:
        given = collator.compare(given_name(a.full_name), given_name(b.full_name))
        return given or collator.compare(a.full_name, b.full_name)

    return sorted(people, key=functools.cmp_to_key(compare))


class RecipientPicker(QWidget):
    """Units with their people, each with a tick box (a unit's box ticks all its people);
    `selected_ids()` is who the document reaches."""

    def __init__(self, people: Iterable[User], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        collator = vietnamese_collator()
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search people or units"))
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        units: dict[str, list[User]] = {}
        for person in people:
            units.setdefault(person.org_unit.name if person.org_unit else "", []).append(person)
        for name in sorted(units, key=functools.cmp_to_key(collator.compare)):
            unit = QTreeWidgetItem(self.tree, [name or self.tr("No unit")])
            unit.setFlags(
                unit.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate
            )
            unit.setCheckState(0, Qt.CheckState.Unchecked)
            for person in sorted_people(units[name], collator):
                label = f"{person.full_name} — {person.title}" if person.title else person.full_name
                item = QTreeWidgetItem(unit, [label])
                item.setData(0, ID_ROLE, person.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, Qt.CheckState.Unchecked)
        self.tree.expandAll()
        self.search.textChanged.connect(self.filter)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.tree)

    def units(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def people_items(self, unit: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        items = (unit.child(i) for i in range(unit.childCount()))
        return [item for item in items if item is not None]

    def filter(self, query: str) -> None:
        """Show the people (and units) whose name, title or unit holds `query`, tone marks
        or not; a unit that matches shows all its people."""
        wanted = searchable(query.strip())
        for unit in self.units():
            unit_matches = wanted in searchable(unit.text(0))
            shown = 0
            for item in self.people_items(unit):
                visible = unit_matches or wanted in searchable(item.text(0))
                item.setHidden(not visible)
                shown += visible
            unit.setHidden(shown == 0)

    def selected_ids(self) -> list[int]:
        """The ids of the ticked people, in the order shown."""
        return [
            int(item.data(0, ID_ROLE))
            for unit in self.units()
            for item in self.people_items(unit)
            if item.checkState(0) == Qt.CheckState.Checked
        ]
