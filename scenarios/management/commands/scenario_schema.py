import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from scenarios.schema import SCHEMA

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "scenario.schema.json"


def schema_text() -> str:
    return json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n"


class Command(BaseCommand):
    help = "Write docs/scenario.schema.json from scenarios/schema.py."

    def handle(self, *args, **options) -> None:
        SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
        self.stdout.write(f"Wrote {SCHEMA_FILE}")
