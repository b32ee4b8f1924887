"""Write stage: each output format is a writer, registered here by the name a profile gives it.

A writer is made once per pack, sees every document first (`prepare`: the Word writer
starts drawing its charts then, so that the drawing overlaps the PDFs being written),
writes each one of its format, and is closed at the end. A new format is a new writer
module, one line in `WRITERS`, and its templates.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from policypack.load.pack import CheckedPack
from policypack.render.pack import Rendered
from policypack.write.pdf import PdfWriter
from policypack.write.web import WebWriter
from policypack.write.word.writer import WordWriter


class Writer(Protocol):
    """Writes one pack's documents of one format."""

    def prepare(self, document: Rendered) -> None:
        """A look at a document before any is written (to start slow work early)."""

    def write(self, document: Rendered, out: Path) -> None:
        """The document, atomically, at `out`."""

    def close(self) -> None:
        """Release what the writer holds (threads, caches)."""


WRITERS: dict[str, Callable[[CheckedPack], Writer]] = {"pdf": PdfWriter, "docx": WordWriter, "html": WebWriter}


def write_documents(checked: CheckedPack, documents: Sequence[Rendered], stage: Path) -> None:
    """Every document into `stage`, as `<name>.<format>`, each by its format's writer."""
    writers: dict[str, Writer] = {}
    with contextlib.ExitStack() as closing:
        for document in documents:
            if document.fmt not in writers:
                writers[document.fmt] = writer = WRITERS[document.fmt](checked)
                closing.callback(writer.close)
        for document in documents:
            writers[document.fmt].prepare(document)
        for document in documents:
            writers[document.fmt].write(document, stage / f"{document.name}.{document.fmt}")
