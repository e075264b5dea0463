"""Trợ giúp → Giới thiệu: the version, the log folder (a link that opens it), and the licences of
the components HopDesk ships with, read from the installed packages' metadata so the list never
drifts from what is really bundled."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from resources import icons

DISTRIBUTION = "hopdesk"


@dataclass(frozen=True, slots=True)
class Component:
    """One bundled component and its licence."""

    name: str
    version: str
    licence: str


# Shipped as files, not as a Python package, so not in the metadata (resources/icons/LICENSE,
# resources/fonts/OFL.txt: the signature stamps' font).
FILE_COMPONENTS: tuple[Component, ...] = (
    Component(f"{icons.SET_NAME} icons", icons.SET_VERSION, icons.SET_LICENCE),
    Component("HopDesk Serif font (from Liberation Serif)", "2.1.5", "OFL-1.1"),
)


def licence_of(dist: metadata.Distribution) -> str:
    """The SPDX expression, else the License field, else the trove classifiers."""
    meta = dist.metadata

    def first(field: str) -> str:
        return str((meta.get_all(field) or [""])[0]).strip()

    text = first("License-Expression")
    if not text:
        field = first("License")
        text = field if field and "\n" not in field and len(field) <= 80 else ""
    if not text:
        classifiers = meta.get_all("Classifier") or []
        text = ", ".join(c.rsplit(" :: ", 1)[-1] for c in classifiers if c.startswith("License"))
    return text or "?"


def bundled_components(distribution: str = DISTRIBUTION) -> list[Component]:
    """HopDesk's runtime dependencies (not the test extras) with their licences, by name."""
    try:
        requires = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:
        return list(FILE_COMPONENTS)
    found: dict[str, Component] = {}
    for requirement in requires:
        if "extra ==" in requirement:
            continue
        match = re.match(r"[A-Za-z0-9._-]+", requirement)
        if match is None:
            continue
        try:
            dist = metadata.distribution(match.group(0))
        except metadata.PackageNotFoundError:
            continue
        name = dist.metadata["Name"]
        found[name.lower()] = Component(name, dist.version, licence_of(dist))
    return sorted([*found.values(), *FILE_COMPONENTS], key=lambda c: c.name.lower())


class AboutDialog(QDialog):
    """Version, log folder and licences; the log folder link opens the folder."""

    def __init__(self, version: str, log_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.version = version
        self.log_dir = log_dir
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.log_link = QLabel(self)
        self.log_link.setTextFormat(Qt.TextFormat.RichText)
        self.log_link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.log_link.linkActivated.connect(self.open_link)
        self.components_label = QLabel(self)
        self.components = QTreeWidget(self)
        self.components.setRootIsDecorated(False)
        self.components.setColumnCount(3)
        for component in bundled_components():
            item = QTreeWidgetItem([component.name, component.version, component.licence])
            item.setToolTip(2, component.licence)
            self.components.addTopLevelItem(item)
        for column in range(2):
            self.components.resizeColumnToContents(column)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.log_link)
        layout.addWidget(self.components_label)
        layout.addWidget(self.components, 1)
        layout.addWidget(self.buttons)
        self.resize(620, 480)
        self.retranslate()

    def log_url(self) -> QUrl:
        """The log folder as a file URL."""
        return QUrl.fromLocalFile(str(self.log_dir))

    def open_link(self, link: str) -> None:
        """Open the log folder in the system's file manager."""
        QDesktopServices.openUrl(QUrl(link))

    def retranslate(self) -> None:
        """Every text of the dialog."""
        self.setWindowTitle(self.tr("About HopDesk"))
        self.title.setText(
            "<b>HopDesk</b> "
            + self.tr("version %1").replace("%1", self.version)
            + "<br>"
            + self.tr("Paperless meetings and document approval")
        )
        self.log_link.setText(
            self.tr("Log folder: %1").replace(
                "%1", f"<a href='{self.log_url().toString()}'>{html.escape(str(self.log_dir))}</a>"
            )
        )
        self.components_label.setText(self.tr("Bundled components and their licences:"))
        self.components.setHeaderLabels(
            [self.tr("Component"), self.tr("Version"), self.tr("Licence")]
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
