"""Model-free pieces of a web capture: WARC writing, rendering, readable text and diff,
provenance and the bundle. ``evidence.services.captures`` puts them together."""
