"""HopDesk's PDF reader, a component another Qt app can reuse: the public API.

Code outside viewer/ imports only from here (tests/test_architecture.py enforces it); the
subpackages are grouped by concern so a reader finds each by name:

- `viewer.render`: worker processes that draw pages into shared memory, their scheduling
  and the pixel cache (`RenderPool`), and the worker-process side (`viewer.render.worker`).
- `viewer.view`: the page view, its layout, thumbnails, outline, watermark and view state.
- `viewer.annotations`: personal notes (highlights, sticky notes, ink), their store, tools,
  panel and export into a PDF copy.
- `viewer.search`: text search in the workers and its panel.
- `viewer.signatures`: inspection of a PDF's digital signatures and its panel.
- `viewer.reader.Reader`: the whole reader (view, notes and signatures panels) on one file.

Names are loaded on first use (PEP 562): a worker process, which imports only
`viewer.render.worker`, and the app's first screen do not pay for Qt widgets they don't show.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from viewer.annotations.model import Annotation as Annotation
    from viewer.annotations.model import AnnotationKind as AnnotationKind
    from viewer.annotations.model import sha256_of_file as sha256_of_file
    from viewer.annotations.store import AnnotationStore as AnnotationStore
    from viewer.annotations.store import AnnotationStoreError as AnnotationStoreError
    from viewer.annotations.tools import Tool as Tool
    from viewer.document import Document as Document
    from viewer.document import DocumentError as DocumentError
    from viewer.drop import accept_pdf_drag as accept_pdf_drag
    from viewer.drop import take_pdf_drop as take_pdf_drop
    from viewer.jobs import JobRunner as JobRunner
    from viewer.mailbox import Mailbox as Mailbox
    from viewer.reader import Reader as Reader
    from viewer.render.cache import PageKey as PageKey
    from viewer.render.cache import RenderedPage as RenderedPage
    from viewer.render.pool import RenderPool as RenderPool
    from viewer.signatures.inspector import SignatureInfo as SignatureInfo
    from viewer.signatures.inspector import SignatureInspector as SignatureInspector
    from viewer.signatures.inspector import SignatureState as SignatureState
    from viewer.view.layout import LayoutMode as LayoutMode
    from viewer.view.layout import ZoomMode as ZoomMode
    from viewer.view.state import MemoryStateStore as MemoryStateStore
    from viewer.view.state import ViewState as ViewState
    from viewer.view.state import ViewStateStore as ViewStateStore
    from viewer.view.watermark import WatermarkSpec as WatermarkSpec
    from viewer.view.widget import ViewerWidget as ViewerWidget

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "Annotation": "viewer.annotations.model",
    "AnnotationKind": "viewer.annotations.model",
    "sha256_of_file": "viewer.annotations.model",
    "AnnotationStore": "viewer.annotations.store",
    "AnnotationStoreError": "viewer.annotations.store",
    "Tool": "viewer.annotations.tools",
    "Document": "viewer.document",
    "DocumentError": "viewer.document",
    "accept_pdf_drag": "viewer.drop",
    "take_pdf_drop": "viewer.drop",
    "JobRunner": "viewer.jobs",
    "Mailbox": "viewer.mailbox",
    "Reader": "viewer.reader",
    "PageKey": "viewer.render.cache",
    "RenderedPage": "viewer.render.cache",
    "RenderPool": "viewer.render.pool",
    "SignatureInfo": "viewer.signatures.inspector",
    "SignatureInspector": "viewer.signatures.inspector",
    "SignatureState": "viewer.signatures.inspector",
    "LayoutMode": "viewer.view.layout",
    "ZoomMode": "viewer.view.layout",
    "MemoryStateStore": "viewer.view.state",
    "ViewState": "viewer.view.state",
    "ViewStateStore": "viewer.view.state",
    "WatermarkSpec": "viewer.view.watermark",
    "ViewerWidget": "viewer.view.widget",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    """Import a public name's module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'viewer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
