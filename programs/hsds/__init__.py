"""Open Referral HSDS: readers per format (tabular data packages 3.0 and 1.1, HSDS 3.0 JSON), one mapping to
our Program, one upsert (services.hsds_import), and the HSDS 3.0 JSON export (export.py, views.py)."""
