"""The far end of libfprint's `virtual_image` driver: a pretend sensor that feeds it images.

libfprint listens on the Unix socket named by FP_VIRTUAL_IMAGE (set in the helper's environment
by `open_reader(virtual_socket=...)`); this class connects to it and plays the finger. Used by the
tests, the bench and the demo so that the *real* libfprint stack (image device state machine,
NBIS minutiae, bozorth3 matching, print serialisation) runs without hardware.

Wire format (libfprint 1.94 `virtual-image.c`): two native-endian int32 then payload.
(width, height) + width*height bytes of 8-bit grey = an image; a negative first int is a
command: -1 retry error (second int = FpDeviceRetry), -2 device error (FpDeviceError; 256 =
removed), -3 automatic finger on/off around images, -4 finger present / absent.
libfprint drops an image that arrives while no operation waits for a finger, so send images from
a progress callback on the "place_finger" event (see `feed_on_place_finger`).

Threading: one sensor object may be used from any one thread at a time; sends are short blocking
writes on a local socket.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from collections.abc import Callable, Iterator

import numpy as np

RETRY_GENERAL, RETRY_TOO_SHORT, RETRY_CENTER_FINGER, RETRY_REMOVE_FINGER = 0, 1, 2, 3
ERROR_GENERAL, ERROR_REMOVED = 0, 0x100


class VirtualImageSensor:
    """A client of libfprint's virtual_image socket. Connect after the reader is opened."""

    def __init__(self, socket_path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(socket_path)
        if len(self.path.encode()) >= 100:
            # sun_path is 108 bytes; GLib needs the terminator and libfprint documents < 100.
            raise ValueError(f"virtual_image socket path too long ({len(self.path)} bytes): {self.path}")
        self._sock: socket.socket | None = None

    def connect(self, timeout: float = 5.0) -> VirtualImageSensor:
        """Connect, waiting up to `timeout` seconds for libfprint to create the socket."""
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
                self._sock = s
                # libfprint accepts asynchronously; the connection is only live once its main
                # loop has run, which happens inside the next operation. Nothing to wait for here.
                return self
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _send(self, payload: bytes) -> None:
        if self._sock is None:
            raise RuntimeError("sensor not connected")
        self._sock.sendall(payload)

    def send_image(self, image: np.ndarray) -> None:
        """Put a finger with this grey image (uint8, h×w, ridges dark) on the sensor."""
        img = np.ascontiguousarray(image, dtype=np.uint8)
        h, w = img.shape
        self._send(struct.pack("=ii", w, h) + img.tobytes())

    def send_retry(self, code: int = RETRY_TOO_SHORT) -> None:
        """Make the current scan fail with a retry error (swipe too short, centre finger…)."""
        self._send(struct.pack("=ii", -1, code))

    def send_error(self, code: int = ERROR_GENERAL) -> None:
        """Make the device fail as a broken or unplugged reader would (256 = removed)."""
        self._send(struct.pack("=ii", -2, code))

    def set_automatic_finger(self, on: bool) -> None:
        self._send(struct.pack("=ii", -3, 1 if on else 0))

    def send_finger(self, present: bool) -> None:
        self._send(struct.pack("=ii", -4, 1 if present else 0))

    def close(self) -> None:
        """Disconnect, as when the sensor end of the cable goes away."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> VirtualImageSensor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def feed_on_place_finger(
    sensor: VirtualImageSensor, images: Iterator[np.ndarray] | list[np.ndarray]
) -> Callable[[object], None]:
    """A progress callback that presses the next image each time the reader asks for a finger."""
    it = iter(images)

    def on_event(event: object) -> None:
        if getattr(event, "kind", None) == "place_finger":
            img = next(it, None)
            if img is not None:
                sensor.send_image(img)

    return on_event
