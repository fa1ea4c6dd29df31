"""Catalog imports: CSV and DDEX ERN files → validated rows → one set-based upsert.

``service`` starts and runs an import; ``csvsource`` and ``ddex`` turn files into raw
rows; ``rows`` validates them with ``catalog.identifiers``; ``writer`` stages them with
COPY and upserts (see docs/catalog.md for the design and its measured speed).
"""
