"""The shared vocabulary every stage uses: errors, schema, params, periods, money, keys, findings, check codes,
the dataset and result containers, genealogy levels, hashing and redaction. Imports nothing of a later stage."""
