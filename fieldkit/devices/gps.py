"""GPS from a serial/USB NMEA 0183 receiver (the ¥50 u-blox/SiRF "GPS mouse" on a USB cable).

Such receivers send text lines like ``$GPGGA,…*47`` at 4800 or 9600 baud, once a second. We
read two sentence types: GGA (fix quality, satellites, HDOP, altitude) and RMC (validity, date,
speed) — the talker may be GP (GPS), BD/GB (BeiDou), GL or GN (combined). Parsing two comma-
separated sentences with a checksum is a few dozen lines, so no NMEA library is pulled in;
the port itself goes through pyserial (cross-platform ports, baud setup, USB enumeration).

- `parse_sentence(line)` → `Gga` | `Rmc` | None (other sentences); `NmeaError` for a bad
  checksum or a malformed sentence. Pure; any thread.
- `GpsReceiver` protocol: `read_fix(timeout)` → `Fix` (a valid position) or None when the
  receiver has no fix yet (indoors, just switched on); `close()`.
- `SerialGps` reads a real port; a port that disappears (cable pulled) or never answers raises
  `DeviceUnavailable` with a Chinese message. `FakeGps` replays sentences (tests, demo).
- `open_gps(port=None)`: `$FIELDKIT_GPS_PORT`, the given port, or the first USB serial port
  that looks like a GPS; `DeviceUnavailable` when there is none.

Units: degrees (WGS-84, decimal, south/west negative), metres, UTC times. Threading: a
receiver belongs to one thread; `read_fix` blocks up to `timeout` seconds — call it from a
worker, never the GUI thread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from fieldkit.domain.errors import DeviceUnavailable

try:  # pyserial: the app still starts (and check-ins still work by hand) without it
    import serial
    from serial.tools import list_ports
except ImportError:  # pragma: no cover - exercised only on a broken install
    serial = None
    list_ports = None

BAUD_RATES = (9600, 4800)  # what consumer receivers ship with, most common first
# USB bridges GPS receivers are built on: u-blox, Prolific PL2303, SiLabs CP210x, WCH CH340, SiRF.
GPS_USB_VIDS = {0x1546, 0x067B, 0x10C4, 0x1A86, 0x0E8D}
HDOP_METRES = 5.0  # rough horizontal accuracy per unit of HDOP for a consumer receiver


class NmeaError(ValueError):
    """A line that claims to be NMEA but cannot be trusted (bad checksum, missing fields)."""


@dataclass(frozen=True)
class Gga:
    time: dt.time | None
    lat: float | None
    lon: float | None
    quality: int  # 0 no fix, 1 GPS, 2 DGPS, 4/5 RTK, 6 dead reckoning
    satellites: int
    hdop: float | None
    altitude_m: float | None


@dataclass(frozen=True)
class Rmc:
    time: dt.time | None
    valid: bool  # status A (active) vs V (void)
    lat: float | None
    lon: float | None
    speed_knots: float | None
    date: dt.date | None


@dataclass(frozen=True)
class Fix:
    """A usable position. `accuracy_m` is estimated from HDOP (None when unknown)."""

    lat: float
    lon: float
    at: dt.datetime | None  # UTC, when the receiver gave date and time
    satellites: int
    hdop: float | None
    altitude_m: float | None
    source: str  # "gga" | "rmc"

    @property
    def accuracy_m(self) -> float | None:
        return round(self.hdop * HDOP_METRES, 1) if self.hdop is not None else None

    def as_geo(self) -> dict[str, float]:
        """The form's geo value: {"lat", "lon"} (+ "acc" metres)."""
        geo = {"lat": round(self.lat, 6), "lon": round(self.lon, 6)}
        if self.accuracy_m is not None:
            geo["acc"] = self.accuracy_m
        return geo


def _checksum(body: str) -> int:
    value = 0
    for ch in body:
        value ^= ord(ch)
    return value


def _coord(value: str, hemi: str, degree_digits: int) -> float | None:
    # ddmm.mmmm (latitude) / dddmm.mmmm (longitude): degrees then decimal minutes.
    if not value or not hemi:
        return None
    try:
        degrees = int(value[:degree_digits])
        minutes = float(value[degree_digits:])
    except ValueError as e:
        raise NmeaError(f"bad coordinate {value!r}") from e
    if minutes >= 60:
        raise NmeaError(f"bad coordinate {value!r}")
    out = degrees + minutes / 60
    if hemi in ("S", "W"):
        out = -out
    elif hemi not in ("N", "E"):
        raise NmeaError(f"bad hemisphere {hemi!r}")
    return out


def _time(value: str) -> dt.time | None:
    if len(value) < 6:
        return None
    try:
        frac = float(value[6:]) if len(value) > 6 else 0.0
        return dt.time(int(value[0:2]), int(value[2:4]), int(value[4:6]), round(frac * 1e6) % 1_000_000)
    except ValueError as e:
        raise NmeaError(f"bad time {value!r}") from e


def _float(value: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError as e:
        raise NmeaError(f"bad number {value!r}") from e


def parse_sentence(line: str | bytes) -> Gga | Rmc | None:
    """Parse one NMEA line. None for sentences other than GGA/RMC (and for blank lines).

    The checksum is required: receivers always send one, and a serial line picks up noise.
    """
    if isinstance(line, bytes):
        line = line.decode("ascii", errors="replace")
    line = line.strip()
    if not line:
        return None
    if not line.startswith("$") or "*" not in line:
        raise NmeaError(f"not an NMEA sentence: {line[:20]!r}")
    body, _, given = line[1:].rpartition("*")
    try:
        expected = int(given[:2], 16)
    except ValueError as e:
        raise NmeaError(f"bad checksum field in {line[:20]!r}") from e
    if _checksum(body) != expected:
        raise NmeaError(f"checksum mismatch in {line[:20]!r}")
    parts = body.split(",")
    kind = parts[0][-3:]
    if kind == "GGA":
        if len(parts) < 10:
            raise NmeaError("short GGA sentence")
        quality = int(parts[6] or 0)
        return Gga(
            time=_time(parts[1]),
            lat=_coord(parts[2], parts[3], 2) if quality else None,
            lon=_coord(parts[4], parts[5], 3) if quality else None,
            quality=quality,
            satellites=int(parts[7] or 0),
            hdop=_float(parts[8]),
            altitude_m=_float(parts[9]),
        )
    if kind == "RMC":
        if len(parts) < 10:
            raise NmeaError("short RMC sentence")
        valid = parts[2] == "A"
        date = None
        if len(parts[9]) == 6:
            try:
                yy = int(parts[9][4:6])
                # Two-digit years: receivers of the 1990s are still about; pivot at 1980.
                date = dt.date((2000 if yy < 80 else 1900) + yy, int(parts[9][2:4]), int(parts[9][0:2]))
            except ValueError as e:
                raise NmeaError(f"bad date {parts[9]!r}") from e
        return Rmc(
            time=_time(parts[1]),
            valid=valid,
            lat=_coord(parts[3], parts[4], 2) if valid else None,
            lon=_coord(parts[5], parts[6], 3) if valid else None,
            speed_knots=_float(parts[7]),
            date=date,
        )
    return None


class FixAssembler:
    """Turns a stream of sentences into fixes: GGA gives quality and satellites, RMC the date.

    A fix is reported from a GGA with quality > 0, dated with the last RMC's date; an RMC that
    is valid also gives a fix (with the satellites of the last GGA). Bad lines are counted in
    `errors` and otherwise ignored — one noisy line must not lose the fix.
    """

    def __init__(self) -> None:
        self.date: dt.date | None = None
        self.last_gga: Gga | None = None
        self.errors = 0
        self.sentences = 0

    def feed(self, line: str | bytes) -> Fix | None:
        try:
            s = parse_sentence(line)
        except NmeaError:
            self.errors += 1
            return None
        if s is None:
            return None
        self.sentences += 1
        if isinstance(s, Rmc):
            self.date = s.date or self.date
            if s.valid and s.lat is not None and s.lon is not None:
                gga = self.last_gga
                return Fix(s.lat, s.lon, self._at(s.time), gga.satellites if gga else 0,
                           gga.hdop if gga else None, gga.altitude_m if gga else None, "rmc")
            return None
        self.last_gga = s
        if s.quality > 0 and s.lat is not None and s.lon is not None:
            return Fix(s.lat, s.lon, self._at(s.time), s.satellites, s.hdop, s.altitude_m, "gga")
        return None

    def _at(self, t: dt.time | None) -> dt.datetime | None:
        if t is None or self.date is None:
            return None
        return dt.datetime.combine(self.date, t, tzinfo=dt.UTC)


@runtime_checkable
class GpsReceiver(Protocol):
    name: str

    def read_fix(self, timeout: float = 5.0) -> Fix | None:
        """The next valid position within `timeout` seconds; None when the receiver has no fix."""
        ...

    def close(self) -> None: ...


def _unplugged(port: str, exc: BaseException | None = None) -> DeviceUnavailable:
    detail = f"：{exc}" if exc else ""
    return DeviceUnavailable(
        f"GPS 接收器（{port}）已断开或无法读取{detail}。请检查 USB 连接；也可以不定位，只选择所在村打点",
        message_en=f"The GPS receiver on {port} is gone or unreadable{': ' + str(exc) if exc else ''}. "
                   "Check the USB cable, or check in with the village only",
        code="gps_unavailable",
    )


class SerialGps:
    """A receiver on a serial port (/dev/ttyUSB0, /dev/ttyACM0, COM3…), read with pyserial."""

    def __init__(self, port: str, baudrate: int = BAUD_RATES[0]) -> None:
        if serial is None:
            raise DeviceUnavailable("缺少 pyserial 组件，无法读取 GPS 接收器", message_en="pyserial is not installed",
                                    code="gps_unavailable")
        self.name = f"NMEA {port}"
        self.port = port
        self.assembler = FixAssembler()
        try:
            self._serial = serial.Serial(port, baudrate=baudrate, timeout=0.5)
        except (serial.SerialException, OSError) as e:
            raise _unplugged(port, e) from e

    def read_fix(self, timeout: float = 5.0) -> Fix | None:
        """Read lines until a fix or `timeout` seconds. None: receiver talks but has no fix yet.

        `DeviceUnavailable` when the port vanished, or nothing at all that parses as NMEA came
        within the timeout (wrong port or baud rate).
        """
        deadline = time.monotonic() + timeout
        heard = self.assembler.sentences
        while time.monotonic() < deadline:
            try:
                line = self._serial.readline()
            except (serial.SerialException, OSError) as e:
                raise _unplugged(self.port, e) from e
            if not line:
                continue
            fix = self.assembler.feed(line)
            if fix is not None:
                return fix
        if self.assembler.sentences == heard:
            raise DeviceUnavailable(
                f"{self.port} 上没有收到 GPS 数据（端口或波特率不对？）",
                message_en=f"No NMEA data on {self.port} (wrong port or baud rate?)", code="gps_silent",
            )
        return None

    def close(self) -> None:
        with contextlib.suppress(serial.SerialException, OSError):
            self._serial.close()


class FakeGps:
    """Replays NMEA lines (tests, demo): `read_fix` walks through them, None at the end."""

    # A fix at the demo township (坑底乡, Shouning county, Fujian) and a no-fix sentence.
    DEMO = (
        "$GPGGA,012345.00,,,,,0,00,99.99,,,,,,*67",
        "$GPRMC,012345.00,V,,,,,,,231126,,,N*79",
        "$GPGGA,012346.00,2727.1234,N,11930.5678,E,1,07,1.20,612.0,M,,M,,*43",
    )

    def __init__(self, lines: Iterable[str] | None = None) -> None:
        self.name = "fake GPS"
        self.lines = list(lines if lines is not None else self.DEMO)
        self.assembler = FixAssembler()
        self.closed = False

    def read_fix(self, timeout: float = 5.0) -> Fix | None:
        if self.closed:
            raise _unplugged("fake")
        while self.lines:
            fix = self.assembler.feed(self.lines.pop(0))
            if fix is not None:
                return fix
        return None

    def close(self) -> None:
        self.closed = True


def candidate_ports() -> list[str]:
    """Serial ports that look like a USB GPS receiver (known bridge chips first)."""
    if list_ports is None:
        return []
    ports = list(list_ports.comports())
    likely = [p.device for p in ports if p.vid in GPS_USB_VIDS]
    others = [p.device for p in ports if p.vid is not None and p.device not in likely]
    return likely + others


def open_gps(port: str | None = None, *, baudrate: int | None = None, fake: bool = False) -> GpsReceiver:
    """Open the receiver: `fake`, then `port`, then `$FIELDKIT_GPS_PORT`, then the first USB port.

    Raises `DeviceUnavailable` (Chinese message) when no receiver can be opened.
    """
    if fake or os.environ.get("FIELDKIT_GPS_PORT") == "fake":
        return FakeGps()
    port = port or os.environ.get("FIELDKIT_GPS_PORT")
    ports = [port] if port else candidate_ports()
    if not ports:
        raise DeviceUnavailable(
            "没有找到 GPS 接收器：请插上 USB 定位器，或不定位、只选择所在村打点",
            message_en="No GPS receiver found: plug one in, or check in with the village only",
            code="gps_unavailable",
        )
    last: DeviceUnavailable | None = None
    for p in ports:
        try:
            return SerialGps(p, baudrate or BAUD_RATES[0])
        except DeviceUnavailable as e:
            last = e
    assert last is not None
    raise last
