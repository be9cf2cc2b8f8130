"""Create a superuser for trying the site locally, with a fresh random password.

The sign-in address it prints is the admin's on WAGTAILADMIN_BASE_URL, which `make run` sets to
the address it serves on (HOST and PORT).
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse


class Command(BaseCommand):
    help = (
        "Create a local superuser with a random password and print it once. "
        "An existing user is left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help="Default: admin")
        parser.add_argument("--email", default="", help="Optional email address for the user.")

    def handle(self, *args, username, email, **options):
        user_model = get_user_model()
        lookup = {user_model.USERNAME_FIELD: username}
        if user_model._default_manager.filter(**lookup).exists():
            self.stdout.write(
                f"User {username!r} already exists; its password is unchanged. "
                f"To set a new one: python manage.py changepassword {username}"
            )
            return

        # Never a fixed password: each local database gets its own.
        password = secrets.token_urlsafe(12)
        user_model._default_manager.create_superuser(**lookup, email=email, password=password)
        self.stdout.write(self.style.SUCCESS(f"Created superuser {username!r}."))
        self.stdout.write(f"username: {username}")
        self.stdout.write(f"password: {password}")
        self.stdout.write(f"Sign in at {admin_url()}")


def admin_url():
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_home")
