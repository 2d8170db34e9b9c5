"""Everything batchkit writes to disk: all-or-nothing folders, output tables, manifests, the run log, verify."""
