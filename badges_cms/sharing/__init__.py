"""Sharing a badge: link-preview meta tags, share links, the LinkedIn helper and the image
operation that draws link previews."""
