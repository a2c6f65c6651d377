"""The buffered bulk read: 1503 prepare -> 1504 read chunk (repeated) -> 1502 free.

Written from the protocol description rather than on pyzk's reader, which times out when a
chunk arrives as many CMD_DATA packets in one burst (real firmware sends 1008-byte packets).
Here every packet is read by its framing, whatever the segmenting, straight into a buffer
per chunk; the dataset grows with the bytes that arrive, never with a size a reply claims.
"""

from __future__ import annotations

from struct import Struct

from ..errors import TerminalCommandRejected, TerminalProtocolError
from .packets import Command, Header
from .session import PyzkSession

_PREPARE_REQUEST = Struct("<bhii")  # 1, dataset command, function, extra
_READ_REQUEST = Struct("<ii")  # start offset, chunk size
_DATASET_SIZE = Struct("<xI")  # in the 1503 reply: a flag byte, then the total size
# Chunk sizes that real terminals (and pyzk) use on each transport.
MAX_CHUNK = {"tcp": 0xFFC0, "udp": 16 * 1024}
# Far above any terminal's data (a million 40-byte records): a larger size means garbage.
MAX_DATASET_BYTES = 64 * 1024 * 1024
# UDP: datagrams from an earlier, abandoned exchange may still arrive; skip that many at most.
_MAX_STALE_DATAGRAMS = 64


class BulkReader:
    """Reads one dataset over a connected session."""

    def __init__(self, session: PyzkSession, max_chunk: int | None = None) -> None:
        self._session = session
        self._channel = session.channel
        self._max_chunk = max_chunk or MAX_CHUNK[session.transport]

    def read(self, dataset_command: int, function: int = 0, extra: int = 0) -> bytearray:
        """Return the full dataset (including its u32 length prefix)."""
        request = _PREPARE_REQUEST.pack(1, dataset_command, function, extra)
        reply_id = self._session.send_command(Command.PREPARE_BUFFER, request)
        header = self._reply_header(reply_id)
        if header.command == Command.DATA:  # small sets come back directly
            return bytearray(self._channel.read_payload(header))
        stat = self._channel.read_payload(header)
        if header.command != Command.ACK_OK:
            raise TerminalCommandRejected(f"bulk read refused with code {header.command}")
        if len(stat) < _DATASET_SIZE.size:
            raise TerminalProtocolError(f"bulk read reply too short ({len(stat)} bytes)")
        (size,) = _DATASET_SIZE.unpack_from(stat)
        if size > MAX_DATASET_BYTES:
            raise TerminalProtocolError(f"implausible dataset size {size}")
        # Memory grows with the bytes that actually arrive, not with what the reply claims.
        dataset = bytearray()
        for start in range(0, size, self._max_chunk):
            chunk = bytearray(min(self._max_chunk, size - start))
            self._read_chunk(start, memoryview(chunk))
            dataset += chunk
        self._free()
        return dataset

    def _read_chunk(self, start: int, target: memoryview) -> None:
        request = _READ_REQUEST.pack(start, len(target))
        reply_id = self._session.send_command(Command.READ_BUFFER, request)
        header = self._reply_header(reply_id)
        if header.command == Command.PREPARE_DATA:
            self._channel.read_payload(header)  # announced size: we go by the DATA packets
            header = self._reply_header(reply_id)
        filled = 0
        while header.command == Command.DATA:
            end = filled + header.length
            if end > len(target):
                raise TerminalProtocolError(
                    f"chunk at {start} overflows: {end} bytes for {len(target)} asked"
                )
            self._channel.read_payload_into(header, target[filled:end])
            filled = end
            header = self._reply_header(reply_id)
        self._channel.read_payload(header)
        if header.command != Command.ACK_OK:
            raise TerminalProtocolError(f"chunk at {start} ended with code {header.command}")
        if filled != len(target):
            raise TerminalProtocolError(f"chunk at {start}: {filled} of {len(target)} bytes")

    def _free(self) -> None:
        reply_id = self._session.send_command(Command.FREE_DATA)
        header = self._reply_header(reply_id)
        self._channel.read_payload(header)
        if header.command != Command.ACK_OK:
            raise TerminalCommandRejected(f"freeing the buffer refused with code {header.command}")

    def _reply_header(self, reply_id: int) -> Header:
        """The next packet answering ``reply_id``.

        On TCP the stream is ordered, so a mismatch means it is out of step. On UDP a late
        datagram of an earlier exchange is skipped.
        """
        for _ in range(_MAX_STALE_DATAGRAMS):
            header = self._channel.read_header()
            if header.reply_id == reply_id:
                return header
            if self._session.transport == "tcp":
                raise TerminalProtocolError(
                    f"reply id {header.reply_id} where {reply_id} was expected"
                )
            self._channel.read_payload(header)
        raise TerminalProtocolError("too many stray datagrams")
