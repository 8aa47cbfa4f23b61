"""Choices are shown under per-attempt tokens (courses.layout), no longer under their ids.

Attempts made before get tokens for their stored layouts, so their papers and reviews still
show; their saved responses keep choice ids, as new ones do.
"""

import secrets

from django.db import migrations, models


def _tokenise(layout: list[dict]) -> bool:
    """Give every question of a layout its tokens; False if it had them already."""
    if all("t" in item for item in layout):
        return False
    taken = set()
    for item in layout:
        tokens = []
        while len(tokens) < len(item["c"]):
            token = secrets.token_hex(5)
            if token not in taken:
                taken.add(token)
                tokens.append(token)
        item["t"] = tokens
    return True


def _add_tokens(apps, schema_editor):
    Attempt = apps.get_model("courses", "Attempt")
    pks = list(Attempt.objects.order_by("pk").values_list("pk", flat=True))
    # In slices, read before written: SQLite gives no isolation to a cursor being iterated
    # while its table is updated.
    for start in range(0, len(pks), 500):
        attempts = list(Attempt.objects.filter(pk__in=pks[start : start + 500]).only("layout"))
        changed = [attempt for attempt in attempts if _tokenise(attempt.layout)]
        Attempt.objects.bulk_update(changed, ["layout"])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="quiz",
            name="shuffle",
            field=models.BooleanField(default=True, verbose_name="shuffle questions"),
        ),
        migrations.RunPython(_add_tokens, migrations.RunPython.noop),
    ]
