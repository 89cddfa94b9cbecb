"""The incremental build: the session (session), what the last build read and made (record), the content keys
pages depend on (keys), and what a kept session does with memory (memory)."""

from . import keys, memory, record, session

__all__ = ["keys", "memory", "record", "session"]
