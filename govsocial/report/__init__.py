"""Period reports: an organisation's or the whole government's month, as HTML and PDF (docs/reports.md).

``build`` gathers the figures from the store, ``render`` writes them as HTML in Traditional Chinese or
English, ``pdf`` turns that HTML into a PDF with WeasyPrint, ``publish`` keeps the files where the
portal lists them for download.
"""
