"""What the terminal answers to each command: pure decisions, no sockets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, auto
import logging
import struct
import zlib

from .device import Device, UnlockPulse, UserWrite
from .faults import BusyMode, Faults
from .protocol import (
    U32,
    Command,
    DatasetKind,
    Header,
    Reply,
    commkey_matches,
    decode_time,
    encode_time,
    max_safe_session_id,
)
from .records import decode_template_upload, decode_user
from .session import Session, SessionRegistry

_LOGGER = logging.getLogger(__name__)

BUFFER_REQUEST = struct.Struct("<bhii")
CHUNK_REQUEST = struct.Struct("<ii")
TEMPLATE_REQUEST = struct.Struct("<hb")
# Two-digit years: the time encoding covers 2000-2099 only.
LAST_DEVICE_YEAR = 2099
# Commands a client may send before it has authenticated.
OPEN_COMMANDS = frozenset({Command.CONNECT, Command.AUTH, Command.EXIT})


@dataclass(frozen=True, slots=True)
class Packet:
    """One reply packet."""

    code: int
    payload: bytes = b""


@dataclass(frozen=True, slots=True)
class ChunkTransfer:
    """The reply to 1504: PREPARE_DATA, the chunk in CMD_DATA packet(s), then ACK_OK."""

    data: memoryview


class After(Enum):
    """What happens to the link once the reply is out."""

    STAY = auto()
    CLOSE = auto()
    REBOOT = auto()


@dataclass(frozen=True, slots=True)
class Outcome:
    """The single reply to a request (None = stay silent) and what follows it."""

    reply: Packet | ChunkTransfer | None
    after: After = After.STAY


ACK = Outcome(Packet(Reply.ACK_OK))
ERROR = Outcome(Packet(Reply.ACK_ERROR))
UNAUTH = Outcome(Packet(Reply.ACK_UNAUTH))
UNKNOWN = Outcome(Packet(Reply.ACK_UNKNOWN))


def _u32(payload: bytes, default: int = 0) -> int:
    return U32.unpack_from(payload)[0] if len(payload) >= 4 else default


class CommandHandler:
    """Turns one request into one Outcome, updating the device and session."""

    def __init__(self, device: Device, registry: SessionRegistry, faults: Faults) -> None:
        self._device = device
        self._registry = registry
        self._faults = faults
        self._routes: dict[int, Callable[[Session, bytes], Outcome]] = {
            Command.CONNECT: self._connect,
            Command.AUTH: self._auth,
            Command.EXIT: lambda s, p: Outcome(Packet(Reply.ACK_OK), After.CLOSE),
            Command.ENABLEDEVICE: self._enable,
            Command.DISABLEDEVICE: self._disable,
            Command.GET_VERSION: self._version,
            Command.OPTIONS_RRQ: self._read_option,
            Command.OPTIONS_WRQ: self._write_option,
            Command.GET_PINWIDTH: self._pin_width,
            Command.GET_FREE_SIZES: self._free_sizes,
            Command.PREPARE_BUFFER: self._prepare_buffer,
            Command.READ_BUFFER: self._read_buffer,
            Command.FREE_DATA: self._free_data,
            Command.GET_TIME: self._get_time,
            Command.SET_TIME: self._set_time,
            Command.UNLOCK: self._unlock,
            Command.RESTART: self._restart,
            Command.POWEROFF: self._poweroff,
            Command.REFRESHDATA: lambda s, p: ACK,
            Command.CANCELCAPTURE: lambda s, p: ACK,
            Command.STARTVERIFY: lambda s, p: ACK,
            Command.TESTVOICE: self._test_voice,
            Command.USER_WRQ: self._write_user,
            Command.DELETE_USER: self._delete_user,
            Command.CLEAR_ATTLOG: self._clear_attendance,
            Command.CLEAR_DATA: self._clear_data,
            Command.REG_EVENT: self._reg_event,
            Command.GET_USERTEMP: self._get_template,
            Command.DELETE_USERTEMP: self._delete_template,
            Command.DELETE_USERTEMP_BY_PIN: self._delete_template_by_pin,
            Command.PREPARE_DATA: self._upload_start,
            Command.DATA: self._upload_data,
            Command.SAVE_USERTEMPS: self._save_upload,
        }

    def handle(self, session: Session, header: Header, payload: bytes) -> Outcome:
        """Decide the reply to one request."""
        code = header.code
        if code == Command.ACK_OK:
            # The client acknowledging a realtime event; answering it would desync pyzk.
            session.events.acknowledge()
            return Outcome(None)
        if code not in OPEN_COMMANDS and not session.authenticated:
            return UNAUTH
        if code in self._faults.error_commands:
            return ERROR
        route = self._routes.get(code)
        if route is None:
            # Includes pyzk's _clear_error junk (2001 and 0xFFFF sent as commands).
            return UNKNOWN
        try:
            return route(session, payload)
        except (struct.error, ValueError, UnicodeError) as err:
            _LOGGER.debug("command %s with bad payload %s: %s", code, payload.hex(), err)
            return ERROR

    # --- connection ----------------------------------------------------------------------

    def _connect(self, session: Session, payload: bytes) -> Outcome:
        busy = self._faults.busy
        if busy is not BusyMode.OFF and self._registry.others_connected(session):
            if busy is BusyMode.ACK_ERROR:
                return Outcome(Packet(Reply.ACK_ERROR), After.CLOSE)
            return Outcome(None, After.CLOSE)
        password = self._device.config.password
        if not session.session_id:
            # pyzk adds the session id to the reversed key without masking: keep it in range.
            self._registry.allocate(session, max_safe_session_id(password))
        session.connected = True
        session.authenticated = password == 0
        return ACK if session.authenticated else UNAUTH

    def _auth(self, session: Session, payload: bytes) -> Outcome:
        if not session.connected:
            return UNAUTH
        if commkey_matches(payload, self._device.config.password, session.session_id):
            session.authenticated = True
            return ACK
        return UNAUTH

    def _enable(self, session: Session, payload: bytes) -> Outcome:
        self._device.set_enabled(True)
        return ACK

    def _disable(self, session: Session, payload: bytes) -> Outcome:
        # Takes no punches until enabled (or rebooted); the reply goes out after this.
        self._device.set_enabled(False)
        return ACK

    def _restart(self, session: Session, payload: bytes) -> Outcome:
        with self._device.lock:
            self._device.restarts += 1
        return Outcome(Packet(Reply.ACK_OK), After.REBOOT)

    def _poweroff(self, session: Session, payload: bytes) -> Outcome:
        with self._device.lock:
            self._device.poweroffs += 1
        return Outcome(Packet(Reply.ACK_OK), After.REBOOT)

    # --- device information --------------------------------------------------------------

    def _version(self, session: Session, payload: bytes) -> Outcome:
        return Outcome(Packet(Reply.ACK_OK, self._device.config.firmware.encode() + b"\x00"))

    def _read_option(self, session: Session, payload: bytes) -> Outcome:
        key = payload.split(b"\x00", 1)[0].decode("ascii", errors="replace")
        value = self._device.option(key)
        if value is None:
            return ERROR
        return Outcome(Packet(Reply.ACK_OK, f"{key}={value}".encode() + b"\x00"))

    def _write_option(self, session: Session, payload: bytes) -> Outcome:
        text = payload.split(b"\x00", 1)[0].decode("ascii", errors="replace")
        key, sep, value = text.partition("=")
        if not sep or not key:
            return ERROR
        self._device.set_option(key, value)
        return ACK

    def _pin_width(self, session: Session, payload: bytes) -> Outcome:
        return Outcome(Packet(Reply.ACK_OK, bytes([self._device.config.pin_width & 0xFF])))

    def _free_sizes(self, session: Session, payload: bytes) -> Outcome:
        sizes = self._device.free_sizes(self._faults.records_count_skew)
        return Outcome(Packet(Reply.ACK_OK, sizes))

    # --- bulk read -----------------------------------------------------------------------

    def _prepare_buffer(self, session: Session, payload: bytes) -> Outcome:
        _one, sub_command, _fct, _ext = BUFFER_REQUEST.unpack_from(payload)
        try:
            kind = DatasetKind(sub_command)
        except ValueError:
            return ERROR
        invalid_every = self._faults.invalid_dates_every if kind is DatasetKind.ATTENDANCE else 0
        dataset = self._device.dataset(kind, invalid_every)
        if len(dataset) <= self._device.config.direct_limit:
            return Outcome(Packet(Reply.DATA, dataset))
        session.bulk = memoryview(dataset)
        size = len(dataset)
        stat = struct.pack("<BIII", 0, size, size, zlib.crc32(dataset))
        return Outcome(Packet(Reply.ACK_OK, stat))

    def _read_buffer(self, session: Session, payload: bytes) -> Outcome:
        start, size = CHUNK_REQUEST.unpack_from(payload)
        bulk = session.bulk
        if bulk is None or start < 0 or size <= 0 or start + size > len(bulk):
            return ERROR
        return Outcome(ChunkTransfer(bulk[start : start + size]))

    def _free_data(self, session: Session, payload: bytes) -> Outcome:
        session.bulk = None
        session.upload = None
        return ACK

    # --- time, door, sound ---------------------------------------------------------------

    def _get_time(self, session: Session, payload: bytes) -> Outcome:
        now = self._device.clock.now()
        return Outcome(Packet(Reply.ACK_OK, U32.pack(encode_time(now))))

    def _set_time(self, session: Session, payload: bytes) -> Outcome:
        moment = decode_time(U32.unpack_from(payload)[0])
        if moment.year > LAST_DEVICE_YEAR:
            return ERROR
        self._device.clock.set(moment)
        with self._device.lock:
            self._device.time_sets.append(moment)
        return ACK

    def _unlock(self, session: Session, payload: bytes) -> Outcome:
        # pyzk sends tenths of a second (unlock(time=3) -> 30).
        pulse = UnlockPulse(_u32(payload) / 10, self._device.clock.now(), session.session_id)
        with self._device.lock:
            self._device.unlocks.append(pulse)
        return ACK

    def _test_voice(self, session: Session, payload: bytes) -> Outcome:
        with self._device.lock:
            self._device.voices.append(_u32(payload))
        return ACK

    # --- users, log, events --------------------------------------------------------------

    def _write_user(self, session: Session, payload: bytes) -> Outcome:
        user = decode_user(payload, self._device.config.encoding)
        self._device.put_users([user])
        with self._device.lock:
            self._device.user_writes.append(UserWrite(user, len(payload), session.session_id))
        return ACK

    def _delete_user(self, session: Session, payload: bytes) -> Outcome:
        (uid,) = struct.unpack_from("<H", payload)
        return ACK if self._device.delete_user(uid) else ERROR

    def _clear_attendance(self, session: Session, payload: bytes) -> Outcome:
        self._device.clear_records()
        return ACK

    def _clear_data(self, session: Session, payload: bytes) -> Outcome:
        self._device.clear_all()
        return ACK

    def _reg_event(self, session: Session, payload: bytes) -> Outcome:
        session.events.register(_u32(payload))
        self._registry.registration_changed()
        return ACK

    # --- templates -----------------------------------------------------------------------

    def _get_template(self, session: Session, payload: bytes) -> Outcome:
        uid, fid = TEMPLATE_REQUEST.unpack_from(payload)
        template = self._device.template(uid & 0xFFFF, fid)
        if template is None:
            return ERROR
        # pyzk drops the last byte of the reply.
        return Outcome(Packet(Reply.DATA, template.data + b"\x00"))

    def _delete_template(self, session: Session, payload: bytes) -> Outcome:
        uid, fid = TEMPLATE_REQUEST.unpack_from(payload)
        return ACK if self._device.delete_template(uid & 0xFFFF, fid) else ERROR

    def _delete_template_by_pin(self, session: Session, payload: bytes) -> Outcome:
        pin_field, fid = struct.unpack_from("<24sB", payload)
        user = self._device.user_by_pin(pin_field.split(b"\x00", 1)[0].decode("ascii"))
        if user is None:
            return ERROR
        return ACK if self._device.delete_template(user.uid, fid) else ERROR

    def _upload_start(self, session: Session, payload: bytes) -> Outcome:
        session.upload = bytearray()
        return ACK

    def _upload_data(self, session: Session, payload: bytes) -> Outcome:
        if session.upload is None:
            return ERROR
        session.upload += payload
        return ACK

    def _save_upload(self, session: Session, payload: bytes) -> Outcome:
        if session.upload is None:
            return ERROR
        upload = decode_template_upload(bytes(session.upload), self._device.config.encoding)
        session.upload = None
        self._device.put_users(upload.users)
        self._device.put_templates(upload.templates)
        return ACK
