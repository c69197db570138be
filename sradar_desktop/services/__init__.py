"""Use cases of SRADAR Desktop; the GUI, the command line and the tests all call these, never the
database directly. Three roles, three places:

- this package's modules are the transactions: each use case opens, commits or rolls back its
  own session (answers, imports, campaigns, revisions, consolidation, sending…), and
  ``answer_engine`` keeps the entry's writes in order between the window and them;
- ``files/`` is the file pipeline: received workbooks, tables and messages read and checked
  before anything is written, and workbooks merged without a database;
- ``views/`` holds what the windows show, computed without Qt or database (the entry sheet, the
  consolidation sheet, their filters and sentences).
"""
