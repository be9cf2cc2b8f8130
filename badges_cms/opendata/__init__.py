"""Machine-readable badge data: Open Badges 2.0 and 3.0 documents and schema.org JSON-LD, the
.json views that serve them, the Atom feed and the Wagtail API's fields."""
