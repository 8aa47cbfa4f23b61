"""import_tracks and export_track: exit codes, messages, all-or-nothing, round trip."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from certification.models import Track, TrackVersion
from certification.selectors.tracks import track_version_spec
from certification.services.tracks import track_check
from tests.certification.conftest import SHIPPED_TRACK_FILE

pytestmark = pytest.mark.django_db

SHIPPED = SHIPPED_TRACK_FILE.read_text(encoding="utf-8")


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_tracks_loads_the_shipped_directory_by_default_and_is_idempotent(shipped_content):
    assert _run("import_tracks") == "已导入 cs-onboarding-certification：第 1 版\n"
    again = _run("import_tracks")
    assert again == "已导入 cs-onboarding-certification：第 1 版（没有变化）\n"
    assert TrackVersion.objects.count() == 1


def test_a_bad_file_stops_the_command_with_file_line_column_and_stores_nothing(
    shipped_content, tmp_path
):
    good = tmp_path / "a-good.yaml"
    good.write_text(SHIPPED.replace("cs-onboarding-certification", "good-track"), encoding="utf-8")
    bad = tmp_path / "b-bad.yaml"
    bad.write_text(SHIPPED.replace("min_cpm: 60", "min_cpm: 0"), encoding="utf-8")
    line = SHIPPED.splitlines().index("  min_cpm: 60          # 字/分，只数打对的字") + 1
    with pytest.raises(CommandError) as caught:
        call_command("import_tracks", str(good), str(bad), stdout=StringIO())
    message = str(caught.value)
    assert message.startswith("1 个错误；什么都没有导入：")
    assert f"{bad}:{line}:3: typing.min_cpm: min_cpm 不能小于 1（这里是 0）" in message
    assert not Track.objects.exists()


def test_a_bad_file_exits_non_zero_from_the_command_line(shipped_content, tmp_path, capsys):
    from django.core.management import ManagementUtility

    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: x\ntitle: y\nexam: [\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_tracks", str(bad)]).execute()
    assert exited.value.code == 1
    assert f"{bad}:3:7: 第 3 行的 [ 没有对应的 ]" in capsys.readouterr().err


def test_the_track_messages_are_chinese_by_default_and_english_on_request(
    shipped_content, tmp_path
):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SHIPPED.replace("cs-onboarding/professional", "cs-onboarding/nosuch"), "utf-8")
    line = SHIPPED.splitlines().index("  - cs-onboarding/professional") + 1
    with pytest.raises(CommandError) as chinese:
        call_command("import_tracks", "--check", str(bad), stdout=StringIO())
    assert f"{bad}:{line}:5: modules 第 1 项: 没有课程模块“cs-onboarding/nosuch”" in str(
        chinese.value
    )
    with pytest.raises(CommandError) as english:
        call_command("import_tracks", "--check", str(bad), "--language", "en", stdout=StringIO())
    assert f"{bad}:{line}:5: modules #1: no course module “cs-onboarding/nosuch”" in str(
        english.value
    )


def test_two_files_of_one_slug_are_refused(shipped_content, tmp_path):
    first, second = tmp_path / "one.yaml", tmp_path / "two.yaml"
    first.write_text(SHIPPED, encoding="utf-8")
    second.write_text(SHIPPED, encoding="utf-8")
    with pytest.raises(CommandError, match=r"two.yaml:\d+:1: slug: “.*”也是 .*one.yaml 的 slug"):
        call_command("import_tracks", str(first), str(second), stdout=StringIO())
    assert not Track.objects.exists()


def test_check_validates_without_writing(shipped_content):
    assert _run("import_tracks", "--check").startswith(f"通过 {SHIPPED_TRACK_FILE}：")
    assert not Track.objects.exists()


def test_export_writes_yaml_that_imports_to_the_same_track(shipped_track, tmp_path):
    text = _run("export_track", "cs-onboarding-certification")
    spec = track_version_spec(shipped_track.published_version)
    assert track_check(text) == spec
    out = tmp_path / "exported.yaml"
    assert (
        _run("export_track", "cs-onboarding-certification", "--out", str(out)) == f"Wrote {out}\n"
    )
    assert out.read_text(encoding="utf-8") == text
    # Importing the export changes nothing: the same content is the same version.
    assert _run("import_tracks", str(out)).endswith("第 1 版（没有变化）\n")
    assert _run("export_track", "cs-onboarding-certification", "--draft") == text
    assert _run("export_track", "cs-onboarding-certification", "--number", "1") == text


def test_export_of_an_unknown_track_is_an_error(db):
    with pytest.raises(CommandError, match="no track with slug “nosuch”"):
        call_command("export_track", "nosuch", stdout=StringIO())
