"""Period reports: an organisation's or the whole government's week, month or year, as HTML and PDF
(docs/reports.md).

``periods`` reads the period asked for, ``build`` gathers the figures from the store (with
``survey`` for the citizen survey and ``peers`` for an organisation's place among the others),
``render`` writes them as HTML in Traditional Chinese or English (``chart`` draws the charts),
``pdf`` turns that HTML into a PDF with WeasyPrint, ``publish`` keeps the files where the portal
lists them for download.
"""
