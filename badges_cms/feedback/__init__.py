"""Recipient feedback: a Wagtail form-builder page that badge pages link to with ?badge=<slug>.

Kept in its own Django app (label ``badges_feedback``) so a site can use the catalogue without
it: add ``"badges_cms.feedback"`` to INSTALLED_APPS, after ``"badges_cms"``, together with
``"wagtail.contrib.forms"``, whose admin lists and exports the submissions.
"""
