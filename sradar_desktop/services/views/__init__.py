"""What the windows show, computed without Qt and without the database: the entry sheet, the
consolidation sheet, their filters, counts and sentences. A window turns them into pixels; the
command line and the tests read them as they are."""
