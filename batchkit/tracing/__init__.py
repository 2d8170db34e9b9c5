"""Recall traceability: the genealogy index, its disk cache, breadth-first walks with cost at risk, GS1 UDIs."""
