"""The ledger: every transactional row priced in exact cents (postings), the rates in force, pool allocation."""
