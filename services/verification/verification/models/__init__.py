"""Verification's tables, one module per part of the record, sharing one
MetaData (base.py) so that Alembic and the tests see one schema:

- case.py: the case of an order and its answer checks;
- document.py: the documents' rows (the pictures are files, storage.py);
- chat.py: the order chat's messages, read markers and canned replies;
- audit.py: the append-only audit log.

Importing this package registers every table.
"""

from verification.models.audit import AuditEntry
from verification.models.base import Base, metadata
from verification.models.case import Case, CaseCheck
from verification.models.chat import CannedReply, ChatMessage, ChatReadMarker
from verification.models.document import Document

__all__ = [
    "AuditEntry",
    "Base",
    "CannedReply",
    "Case",
    "CaseCheck",
    "ChatMessage",
    "ChatReadMarker",
    "Document",
    "metadata",
]
