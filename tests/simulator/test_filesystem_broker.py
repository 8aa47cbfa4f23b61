"""The embedded default's broker: a reader never takes a message that is still being written
(kombu's own transport let it take an empty file, and the worker stopped)."""

import logging
import os
import time
from queue import Empty

import pytest
from kombu import Connection

from simulator import filesystem_broker


@pytest.fixture
def channel(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    with Connection(
        "filesystem://", transport=filesystem_broker.Transport, transport_options=options
    ) as connection:
        yield connection.default_channel


def test_a_message_being_written_is_not_taken_and_arrives_whole(channel, monkeypatch):
    seen_while_writing = []
    replace = filesystem_broker.os.replace

    def replace_after_a_read(src, dst):
        # A worker polls while the producer has written the file but not yet renamed it.
        try:
            seen_while_writing.append(channel._get("simulator"))
        except Empty:
            seen_while_writing.append(None)
        replace(src, dst)

    monkeypatch.setattr(filesystem_broker.os, "replace", replace_after_a_read)
    channel._put("simulator", {"body": "请问有货吗？", "n": 1})

    assert seen_while_writing == [None]
    assert channel._get("simulator") == {"body": "请问有货吗？", "n": 1}
    with pytest.raises(Empty):
        channel._get("simulator")


def test_a_partial_file_left_by_a_killed_producer_is_never_taken(channel, tmp_path):
    (tmp_path / "queue" / f"1_abc.simulator{filesystem_broker.PARTIAL_SUFFIX}").write_bytes(b"")
    channel._put("simulator", {"n": 2})
    assert channel._get("simulator") == {"n": 2}
    with pytest.raises(Empty):
        channel._get("simulator")


def test_connecting_to_a_missing_folder_is_a_connection_error(tmp_path):
    # A connection error (which a worker waits out and retries; kombu reports the last one as
    # an OperationalError), named with the folder, not a "connected" broker whose messages
    # then fail to be written.
    from kombu.exceptions import OperationalError

    gone = str(tmp_path / "removed")
    options = {"data_folder_in": gone, "data_folder_out": gone}
    connection = Connection(
        "filesystem://", transport=filesystem_broker.Transport, transport_options=options
    )
    with pytest.raises(OperationalError, match="removed"):
        connection.ensure_connection(max_retries=0)
    (tmp_path / "removed").mkdir()
    connection.ensure_connection(max_retries=0)  # there again: connects
    connection.release()


def test_partial_files_left_by_a_stopped_process_are_removed_and_logged(tmp_path, caplog):
    folder = tmp_path / "queue"
    folder.mkdir()
    old = folder / f"1_old.simulator{filesystem_broker.PARTIAL_SUFFIX}"
    old.write_bytes(b'{"bo')
    two_minutes_ago = time.time() - 120
    os.utime(old, (two_minutes_ago, two_minutes_ago))
    # Being written by a live process right now: left alone.
    fresh = folder / f"2_fresh.simulator{filesystem_broker.PARTIAL_SUFFIX}"
    fresh.write_bytes(b'{"bo')
    whole = folder / "3_whole.simulator.msg"
    whole.write_bytes(b'{"n": 3}')
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}

    connection = Connection(
        "filesystem://", transport=filesystem_broker.Transport, transport_options=options
    )
    with caplog.at_level(logging.WARNING, logger="simulator.filesystem_broker"), connection:
        connection.ensure_connection(max_retries=0)

    assert sorted(p.name for p in folder.iterdir()) == [fresh.name, whole.name]
    (record,) = caplog.records
    assert "Removed 1 partial broker message" in record.getMessage()
    assert str(folder) in record.getMessage()
