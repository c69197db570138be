"""Spreadsheets: safety checks, cell reading (python-calamine), the exchange workbook."""

# What the windows offer to open, known without loading the readers.
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".ods", ".xls"})
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})  # tables as text: plans, addresses
