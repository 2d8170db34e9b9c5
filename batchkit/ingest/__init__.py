"""Ingest: files and queries -> typed tables with numbered rows, normalized batch IDs and a finding per bad cell."""
