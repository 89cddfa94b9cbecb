"""The incremental build: what the last build read and made (record), the content keys pages depend on (keys)."""
