"""The presented paper on the meeting room's stage, in a viewer Reader beside the call.

When following needs a paper (`PresenterService.paper_wanted`), the stage finds it in the
meeting's agenda, takes the verified copy on disk (papers are prefetched before the meeting, so
this works offline) or downloads it through the files service, opens it — confidential papers
stamped with the reader's name, as in the reader window — and hands the reader to
`Floor.show_paper`, which then turns its pages with the presenter's. The presenter opens their
paper here with `present()`: their own page turns and zoom are published from then on. A paper
replaced by a new version while shown says so above the page and offers the new version.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from desktop.notify import user_message
from ui.confidentiality import confidential_marking
from ui.replaced_notice import ReplacedNotice
from ui.tasks import TaskOwner
from viewer import Reader, ZoomMode

if TYPE_CHECKING:
    from desktop.app import Core
    from desktop.domain import Paper
    from desktop.meeting_room.papers import MeetingPapers, PaperPrefetcher, PaperReplaced
    from ui.meeting_room.floor import Floor

log = logging.getLogger(__name__)


class PaperStage(QWidget):
    """A Reader showing the paper being presented; `paper_id` is the one shown (or opening)."""

    def __init__(
        self, core: Core, papers: MeetingPapers, floor: Floor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.papers = papers
        self.floor = floor
        self.tasks = TaskOwner(self)
        self.paper_id: int | None = None
        self._leading = False
        self.bare = False
        user = core.session.user
        self.reader = Reader(
            core.notes,
            core.notes.user,
            user_name=(user.full_name or user.username) if user is not None else "",
            state_store=core.view_states,
            parent=self,
        )
        self.reader.documentOpened.connect(self._opened)
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setText(self.tr("No paper is being presented."))
        self.notice = ReplacedNotice(self)
        self.notice.open_requested.connect(self._open_new_version)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.message)
        self.pages.addWidget(self.reader)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notice)
        layout.addWidget(self.pages)
        floor.presenter.paper_wanted.connect(self.show_paper)
        self._prefetch: PaperPrefetcher | None = core.paper_prefetch
        self._prefetch.paper_replaced.connect(self._on_paper_replaced)

    def present(self, paper_id: int) -> None:
        """Open this paper and lead: my page turns go to the followers."""
        self._leading = True
        self.show_paper(paper_id)

    def show_paper(self, paper_id: int) -> None:
        """Open the paper (again only if another one is shown)."""
        if paper_id == self.paper_id:  # shown, or opening
            if self._leading and self.reader.path() is not None:
                self.floor.presenter.lead(paper_id)
            return
        self.paper_id = paper_id
        self.message.setText(self.tr("Opening the paper…"))
        self.pages.setCurrentWidget(self.message)
        self.show()
        self.tasks.run(self._open(paper_id), on_error=self._failed)

    def paper_of(self, paper_id: int) -> Paper | None:
        """The paper among the agenda's, as last loaded."""
        papers = (p for item in self.papers.agenda for p in item.papers)
        return next((p for p in papers if p.id == paper_id), None)

    async def _open(self, paper_id: int) -> None:
        paper = self.paper_of(paper_id)
        if paper is None:  # added after the agenda was loaded
            await self.papers.refresh()
            paper = self.paper_of(paper_id)
        if paper is None or paper.file is None:
            raise LookupError(f"paper {paper_id} is not a file of this meeting")
        path = await self.papers.find_local(paper) or await self.papers.open_path(paper)
        if paper_id != self.paper_id:
            return  # the presenter moved on meanwhile
        self.reader.open_path(
            path,
            sha256=paper.file.sha256,
            title=paper.title,
            watermark=confidential_marking(paper.confidentiality),
        )

    def _opened(self, _sha256: str) -> None:
        """The reader shows the paper: following (or leading) goes through it now."""
        if self.paper_id is None:
            return
        self.pages.setCurrentWidget(self.reader)
        if self.bare:  # the paper's remembered zoom was just restored: fit it again
            self._fit_page()
        self.floor.show_paper(self.reader, self.paper_id)
        if self._leading:
            self.floor.presenter.lead(self.paper_id)

    def _on_paper_replaced(self, replaced: PaperReplaced) -> None:
        if self.paper_id is not None and replaced.replaces(self.paper_id, self.reader.sha256()):
            self.notice.offer(replaced)

    def _open_new_version(self, replaced: PaperReplaced) -> None:
        """Show the paper's new version (the agenda is read again first: it names the file)."""

        async def reopen() -> None:
            await self.papers.refresh()
            if self.paper_id == replaced.paper_id:
                self.paper_id = None  # shown again, not "already shown"
                self.show_paper(replaced.paper_id)

        self.tasks.run(reopen(), on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        log.info("paper %s not shown on the stage: %r", self.paper_id, exc)
        self.paper_id = None  # the presenter's next move tries again
        self.message.setText(
            self.tr("The paper cannot be shown: {reason}").format(reason=user_message(exc))
        )

    def set_bare(self, bare: bool) -> None:
        """Only the page (site mode on the hall's screen): no toolbars, thumbnails or notes,
        the page fitted to the stage; the presenter's page is followed but not their zoom,
        which suits their own screen, not the hall's."""
        self.bare = bare
        reader = self.reader
        for widget in (reader.toolbar, reader.viewer.toolbar, reader.side, reader.viewer.sidebar):
            widget.setVisible(not bare)
        reader.status.setVisible(not bare and bool(reader.status.text()))
        if bare:
            self._fit_page()
        self.floor.presenter.set_follow_zoom(not bare)

    def _fit_page(self) -> None:
        self.reader.viewer.page_view.set_zoom_mode(ZoomMode.FIT_PAGE)

    def shutdown(self) -> None:
        """Stop the reader's render workers (the window closes)."""
        if self._prefetch is not None:
            self._prefetch.paper_replaced.disconnect(self._on_paper_replaced)
            self._prefetch = None
        self.tasks.cancel_all()
        self.reader.shutdown()
