"""Credly Web Service API: the HTTP client (client.py) and what is built on it."""
