"""The file pipeline: what comes in by file or by message is read and checked here, before a
transaction applies it (``services.imports``) or instead of one (``merging`` merges workbooks
without a database)."""
