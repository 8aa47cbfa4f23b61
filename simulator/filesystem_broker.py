"""The file-system broker (the embedded default's), with messages that appear whole.

kombu's transport creates a message file, then locks it and writes it; its reader moves
whatever file it finds without taking the lock. A reader that came between the two took an
empty message: the worker stopped with an unrecoverable error (JSONDecodeError) and the
message was lost. Here a message is written under a name the reader does not match and
renamed into place, which is atomic on one file system.

Connecting checks that the message folders are there and writable, so a worker, a sender
and /healthz see a broker that has lost its folder as unreachable rather than "connected".
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError, ConnectionError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

# A message being written ends in this; the reader takes only names ending ".<queue>.msg".
PARTIAL_SUFFIX = ".part"


class Channel(filesystem.Channel):
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
                raise ConnectionError(f"broker folder {folder!r} is missing or not writable")
        return super().establish_connection()
