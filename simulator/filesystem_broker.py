"""The file-system broker (the embedded default's), with messages that appear whole.

kombu's transport creates a message file, then locks it and writes it; its reader moves
whatever file it finds without taking the lock. A reader that came between the two took an
empty message: the worker stopped with an unrecoverable error (JSONDecodeError) and the
message was lost. Here a message is written under a name the reader does not match and
renamed into place, which is atomic on one file system.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
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
