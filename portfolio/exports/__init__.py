"""Files Portfolio writes for people: Excel workbooks (``workbook``) and their parts."""
