"""The embedded default's broker: a reader never takes a message that is still being written
(kombu's own transport let it take an empty file, and the worker stopped)."""

import logging
import os
import time
from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection

from simulator import filesystem_broker


def connect(folder: Path) -> Connection:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    return Connection(
        "filesystem://", transport=filesystem_broker.Transport, transport_options=options
    )


@pytest.fixture
def channel(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    with connect(folder) as connection:
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

    connection = connect(tmp_path / "removed")
    with pytest.raises(OperationalError, match="removed"):
        connection.ensure_connection(max_retries=0)
    (tmp_path / "removed").mkdir()
    connection.ensure_connection(max_retries=0)  # there again: connects
    connection.release()


def test_partial_files_left_by_a_stopped_process_are_swept_by_a_polling_worker(
    channel, tmp_path, caplog, monkeypatch
):
    folder = tmp_path / "queue"

    def partial(name: str, age_s: float) -> Path:
        path = folder / f"{name}.simulator{filesystem_broker.PARTIAL_SUFFIX}"
        path.write_bytes(b'{"bo')
        os.utime(path, (time.time() - age_s, time.time() - age_s))
        return path

    monkeypatch.setattr(filesystem_broker, "_last_swept", {})
    old = partial("1_old", 120)
    fresh = partial("2_fresh", 0)  # being written by a live process right now: left alone
    channel._put("simulator", {"n": 3})

    with caplog.at_level(logging.WARNING, logger="simulator.filesystem_broker"):
        assert channel._get("simulator") == {"n": 3}
    assert not old.exists() and fresh.exists()
    (record,) = caplog.records
    assert "Removed 1 partial broker message" in record.getMessage()
    assert str(folder) in record.getMessage()

    # The next polls within the minute do not look again; a minute on, they do.
    older = partial("3_older", 120)
    with pytest.raises(Empty):
        channel._get("simulator")
    assert older.exists()
    clock = filesystem_broker.monotonic() + filesystem_broker.ABANDONED_AFTER_S
    monkeypatch.setattr(filesystem_broker, "monotonic", lambda: clock)
    with pytest.raises(Empty):
        channel._get("simulator")
    assert not older.exists() and fresh.exists()


def test_a_worker_whose_folder_disappears_gets_a_connection_error(channel, tmp_path):
    # Not FileNotFoundError, which would stop the worker: a connection error, after which
    # its consumer reconnects (and waits while the folder is still missing).
    (tmp_path / "queue").rmdir()
    with pytest.raises(filesystem_broker.BrokerConnectionError, match="cannot be read"):
        channel._get("simulator")
