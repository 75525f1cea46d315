"""NMEA parsing with real receiver sentences, and the serial backend reading a pseudo-terminal
pair — the same pyserial code that reads /dev/ttyUSB0 — including a cable pulled mid-read."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time

import pytest

from fieldkit.devices import gps
from fieldkit.domain.errors import DeviceUnavailable

# Sentences as receivers send them (the GGA/RMC pair is the NMEA standard's own example).
GGA = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47"
RMC = "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A"
# A u-blox receiver indoors after power-on: no fix yet.
GGA_NOFIX = "$GPGGA,012345.00,,,,,0,00,99.99,,,,,,*67"
RMC_VOID = "$GPRMC,012345.00,V,,,,,,,231126,,,N*79"
# BeiDou+GPS receiver (talker GN) south/west of Greenwich, to check the signs.
GN_GGA_SW = "$GNGGA,092750.000,5321.6802,S,00630.3372,W,1,8,1.03,61.7,M,55.2,M,,*6E"


def _sentence(body: str) -> str:
    return f"${body}*{gps._checksum(body):02X}"


def test_gga_and_rmc_of_the_standard():
    g = gps.parse_sentence(GGA)
    assert isinstance(g, gps.Gga) and g.quality == 1 and g.satellites == 8
    assert g.lat == pytest.approx(48.1173) and g.lon == pytest.approx(11.516667, abs=1e-6)
    assert g.hdop == 0.9 and g.altitude_m == 545.4 and g.time == dt.time(12, 35, 19)
    r = gps.parse_sentence(RMC)
    assert isinstance(r, gps.Rmc) and r.valid and r.date == dt.date(1994, 3, 23)
    assert r.speed_knots == 22.4 and r.lat == pytest.approx(48.1173)


def test_south_and_west_are_negative():
    g = gps.parse_sentence(_sentence(GN_GGA_SW[1:].rsplit("*", 1)[0]))
    assert g.lat == pytest.approx(-53.361337, abs=1e-6) and g.lon == pytest.approx(-6.505620, abs=1e-6)


def test_no_fix_gives_no_position():
    g = gps.parse_sentence(GGA_NOFIX)
    assert g.quality == 0 and g.lat is None and g.lon is None
    r = gps.parse_sentence(RMC_VOID)
    assert not r.valid and r.lat is None and r.date == dt.date(2026, 11, 23)
    asm = gps.FixAssembler()
    assert asm.feed(GGA_NOFIX) is None and asm.feed(RMC_VOID) is None


def test_checksum_and_garbage_are_refused_but_do_not_lose_the_fix():
    bad = GGA[:-2] + "48"
    with pytest.raises(gps.NmeaError):
        gps.parse_sentence(bad)
    with pytest.raises(gps.NmeaError):
        gps.parse_sentence(GGA.replace("4807.038", "4807.039"))  # one digit of line noise
    with pytest.raises(gps.NmeaError):
        gps.parse_sentence("GPGGA,123519")
    assert gps.parse_sentence(_sentence("GPGSV,3,1,11,03,03,111,00")) is None  # satellites in view: not used
    asm = gps.FixAssembler()
    assert asm.feed(bad) is None and asm.feed("\x00\xff garbage") is None
    fix = asm.feed(RMC) or asm.feed(GGA)
    assert fix is not None and asm.errors == 2


def test_fix_is_dated_by_rmc_and_carries_gga_quality():
    asm = gps.FixAssembler()
    asm.feed(RMC_VOID)  # gives the date before any fix
    fix = asm.feed(gps.FakeGps.DEMO[2])
    assert fix.source == "gga" and fix.satellites == 7
    assert fix.at == dt.datetime(2026, 11, 23, 1, 23, 46, tzinfo=dt.UTC)
    assert fix.as_geo() == {"lat": 27.452057, "lon": 119.509463, "acc": 6.0}


def test_fake_receiver_and_factory():
    fake = gps.open_gps(fake=True)
    assert isinstance(fake, gps.GpsReceiver)
    assert fake.read_fix() is not None and fake.read_fix() is None
    fake.close()
    with pytest.raises(DeviceUnavailable):
        fake.read_fix()


def test_factory_without_a_receiver_says_so_in_chinese(monkeypatch):
    monkeypatch.delenv("FIELDKIT_GPS_PORT", raising=False)
    monkeypatch.setattr(gps, "candidate_ports", lambda: [])
    with pytest.raises(DeviceUnavailable) as e:
        gps.open_gps()
    assert "没有找到 GPS 接收器" in e.value.message and e.value.message_en
    with pytest.raises(DeviceUnavailable) as e:
        gps.open_gps("/dev/does-not-exist")
    assert "已断开或无法读取" in e.value.message


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def _writer(fd: int, lines: list[str], delay: float = 0.02) -> threading.Thread:
    def run() -> None:
        for line in lines:
            os.write(fd, (line + "\r\n").encode("ascii"))
            time.sleep(delay)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


@posix_only
def test_serial_backend_reads_a_fix_through_a_pty():
    master, slave = os.openpty()
    try:
        receiver = gps.open_gps(os.ttyname(slave), baudrate=9600)
        t = _writer(master, [GGA_NOFIX, RMC_VOID, GGA[:-2] + "00", gps.FakeGps.DEMO[2]])
        fix = receiver.read_fix(timeout=5)
        t.join()
        assert fix is not None and fix.satellites == 7 and fix.at.date() == dt.date(2026, 11, 23)
        assert receiver.assembler.errors == 1
        receiver.close()
    finally:
        os.close(master)
        os.close(slave)


@posix_only
def test_serial_backend_no_fix_and_silence():
    master, slave = os.openpty()
    try:
        receiver = gps.SerialGps(os.ttyname(slave))
        _writer(master, [GGA_NOFIX, RMC_VOID] * 3).join()
        assert receiver.read_fix(timeout=1.0) is None  # talking, but no satellites yet
        with pytest.raises(DeviceUnavailable) as e:
            receiver.read_fix(timeout=0.6)  # then nothing at all: wrong port or baud rate
        assert "没有收到 GPS 数据" in e.value.message
        receiver.close()
    finally:
        os.close(master)
        os.close(slave)


@posix_only
def test_a_receiver_pulled_out_mid_read_is_device_unavailable():
    master, slave = os.openpty()
    name = os.ttyname(slave)
    receiver = gps.SerialGps(name)
    os.close(slave)
    _writer(master, [GGA_NOFIX]).join()
    os.close(master)  # the USB cable is pulled: the other end of the line is gone
    with pytest.raises(DeviceUnavailable) as e:
        receiver.read_fix(timeout=3)
    assert "已断开" in e.value.message and name in e.value.message
    receiver.close()
