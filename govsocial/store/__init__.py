"""The store: tables, engine, migrations, upserts and the read queries shared by pages and API."""
