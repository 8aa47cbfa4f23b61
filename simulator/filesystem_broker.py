"""The file-system broker (the embedded default's), with messages that appear whole.

kombu's transport creates a message file, then locks it and writes it; its reader moves
whatever file it finds without taking the lock. A reader that came between the two took an
empty message: the worker stopped with an unrecoverable error (JSONDecodeError) and the
message was lost. Here a message is written under a name the reader does not match and
renamed into place, which is atomic on one file system.

Connecting checks that the message folders are there and writable, and a poll that finds
its folder gone says the same, so a worker, a sender and /healthz see a broker that has lost
its folder as unreachable (a worker waits and reconnects) rather than "connected" or a
worker stopped by an unexpected error.

A worker polling the broker also removes, once a minute, the partial files that a process
stopped in the middle of writing left behind, and logs how many: those messages were never
sent.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from time import monotonic

# kombu's, not the builtin of the same name: the one a worker's consumer reconnects after.
from kombu.exceptions import ChannelError
from kombu.exceptions import ConnectionError as BrokerConnectionError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

# A message being written ends in this; the reader takes only names ending ".<queue>.msg".
PARTIAL_SUFFIX = ".part"
# A message is written in milliseconds: a partial file this old was left by a process that
# stopped while writing it.
ABANDONED_AFTER_S = 60.0

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    def _get(self, queue: str):
        # The worker polls here every 0.1 s: the place to sweep now and then.
        sweep_now_and_then(self.data_folder_in)
        try:
            return super()._get(queue)
        except (FileNotFoundError, NotADirectoryError, PermissionError) as exc:
            # Only the folder's listing raises these (kombu skips a message another worker
            # took). A connection error is one the worker's consumer reconnects after.
            raise BrokerConnectionError(
                f"broker folder {self.data_folder_in!r} cannot be read: {exc.strerror}"
            ) from exc

    def _put(self, queue: str, payload, **kwargs) -> None:
        # The name kombu gives a message (creation time first: the reader takes them in
        # name order), written to a partial file first.
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}"
        final = os.path.join(self.data_folder_out, f"{name}.msg")
        partial = os.path.join(self.data_folder_out, f"{name}{PARTIAL_SUFFIX}")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel

    def establish_connection(self):
        options = self.client.transport_options
        for key in ("data_folder_in", "data_folder_out"):
            folder = options.get(key)
            if folder is None:
                continue  # kombu's relative default; nothing configured to check
            if not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
                # A connection error, not a channel error: a worker waits and tries again.
                raise BrokerConnectionError(f"broker folder {folder!r} is missing or not writable")
        return super().establish_connection()


# When this process last swept each folder (monotonic seconds).
_last_swept: dict[str, float] = {}


def sweep_now_and_then(folder: str) -> None:
    """Remove abandoned partial files from `folder` if this process has not looked for a
    minute. A partial file is abandoned only after ABANDONED_AFTER_S, so looking more often
    finds nothing more."""
    now = monotonic()
    if now - _last_swept.get(folder, -ABANDONED_AFTER_S) < ABANDONED_AFTER_S:
        return
    _last_swept[folder] = now
    try:
        remove_abandoned_partials(folder)
    except OSError:
        return  # the folder cannot be listed: the poll that follows reports it


def remove_abandoned_partials(folder: str, older_than_s: float = ABANDONED_AFTER_S) -> int:
    """Delete the partial files in `folder` older than `older_than_s`; return how many."""
    cutoff = time.time() - older_than_s
    removed = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.endswith(PARTIAL_SUFFIX):
                continue
            try:
                if entry.stat().st_mtime < cutoff:
                    os.remove(entry.path)
                    removed += 1
            except FileNotFoundError:
                continue  # another process swept it first
            except OSError as exc:  # this one file; the others are still swept
                logger.warning("Could not remove partial broker message %s: %s", entry.path, exc)
    if removed:
        logger.warning(
            "Removed %d partial broker message(s) in %s: a process stopped while sending them, "
            "so those tasks were never sent",
            removed,
            folder,
        )
    return removed
