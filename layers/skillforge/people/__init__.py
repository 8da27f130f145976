"""The people side of the seed design: partners, users and their activity (one module per table's SQL)."""
