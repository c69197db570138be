"""Spreadsheets: safety checks, cell reading (python-calamine), the exchange workbook."""
