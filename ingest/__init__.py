"""Ingest: outlets' feeds into Markdown articles in content/ (see ingest/README.md)."""
