"""What the secretariat hands out: the consolidated workbook and the PDF summary."""
