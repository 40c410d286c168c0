from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.management.base import BaseCommand, CommandError, CommandParser

# Demo staff: a planner sees and searches children and guardians, the administrator everything.
ROLES: dict[str, tuple[str, ...]] = {
    "planner": (
        "view_child", "view_guardian", "view_custody", "view_unit", "change_unit", "view_admissionarea",
        "view_offerround", "view_proposal", "view_importrun", "view_municipality",
    ),
}  # fmt: skip


class Command(BaseCommand):
    help = "Creates the demo's staff users (demo only) with one fresh password, printed and kept in var/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password-file", type=Path, default=settings.BASE_DIR / "var" / "demo-password.txt")

    def handle(self, *args: Any, password_file: Path, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("demo users are never created in production")
        if password_file.exists():
            password = password_file.read_text(encoding="utf-8").strip()
        else:
            password = secrets.token_urlsafe(12)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n", encoding="utf-8")
            password_file.chmod(0o600)
        for role, codenames in ROLES.items():
            group, _ = Group.objects.get_or_create(name=role)
            group.permissions.set(Permission.objects.filter(codename__in=codenames))
            user, _ = User.objects.get_or_create(username=role, defaults={"is_staff": True})
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.set([group])
        admin, _ = User.objects.get_or_create(username="admin")
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        self.stdout.write(f"demo users: admin, {', '.join(ROLES)} — password: {password}")
