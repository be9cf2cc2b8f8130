"""Browsing the catalogue: the listing with its filters, search and paging, the issuer
directory, routing below an index, the badge page's admin form, aliases and copies."""
