"""Analysis: what the stored activity means — metrics (the OECD scorecard), and later sentiment and topics.

``analyze`` reads the store and never the platforms; the web portal, the API, reports and the CLI
read what it computes.
"""
