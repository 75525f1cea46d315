"""A pure, in-memory model of N offline devices and a server, for property tests of merge.

Each device keeps a dict of record states and an outbox of deltas; `sync` pushes the outbox
to the server (merge) and pulls every server state back (merge). No network, no threads.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from sync import merge as m
from sync.hlc import HLC
from sync.protocol import Change

UUIDS = [f"00000000-0000-4000-8000-00000000000{i}" for i in range(4)]
FIELDS = ["name", "phone", "note"]
MODULES = ["residents", "residents", "visits", "visits"]  # record 2 exercises append-only
# As the shipped forms declare it (forms/01_visits.toml `merge = "append_only"`).
POLICY = m.Policy(append_only=frozenset({"visits"}))


class FakeWall:
    """A shared, manually advanced wall clock (ms resolution) so stamps collide often."""

    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Device:
    node: str
    clock: HLC
    states: dict[str, Change] = field(default_factory=dict)
    outbox: list[Change] = field(default_factory=list)
    made: list[Change] = field(default_factory=list)
    # Ground truth for the oracle, independent of the seen-vectors merge relies on: the stamps
    # this device has really observed, and for each of its writes, what it had observed then.
    known: set[str] = field(default_factory=set)
    past: dict[str, frozenset[str]] = field(default_factory=dict)

    def apply_local(self, delta: Change) -> None:
        old = self.states.get(delta.uuid)
        self.states[delta.uuid] = delta if old is None else m.merge(old, delta, POLICY)
        self.outbox.append(delta)
        self.made.append(delta)
        before = frozenset(self.known)
        for vs in delta.fields.values():
            for v in vs:
                PAST[v.hlc] = before
                AUTHOR[v.hlc] = v.author
                self.known.add(v.hlc)

    def edit(self, uuid: str, module: str, values: dict, author: str = "") -> None:
        old = self.states.get(uuid)
        delta = m.edit(old, uuid, module, values, self.clock.now(), scope="v1", author=author)
        self.apply_local(delta)

    def delete(self, uuid: str, author: str = "") -> None:
        old = self.states.get(uuid)
        if old is not None and not m.is_deleted(old):
            self.apply_local(m.delete(old, self.clock.now(), author=author))

    def receive(self, state: Change) -> None:
        for vs in state.fields.values():
            for v in vs:
                self.clock.observe(v.hlc)
        old = self.states.get(state.uuid)
        self.states[state.uuid] = state if old is None else m.merge(old, state, POLICY)


PAST: dict[str, frozenset[str]] = {}
AUTHOR: dict[str, str] = {}  # who really wrote each stamp, for the oracle
SERVER_KNOWN: set[str] = set()


def make_devices(n: int, wall: FakeWall) -> list[Device]:
    return [Device(f"{i + 1:016x}", HLC(f"{i + 1:016x}", wall)) for i in range(n)]


def sync(dev: Device, server: dict[str, Change]) -> None:
    for delta in dev.outbox:
        old = server.get(delta.uuid)
        server[delta.uuid] = delta if old is None else m.merge(old, delta, POLICY)
    dev.outbox.clear()
    SERVER_KNOWN.update(dev.known)
    dev.known.update(SERVER_KNOWN)
    for state in server.values():
        dev.receive(state)


def run(ops: list[tuple], n_devices: int) -> tuple[list[Device], dict[str, Change]]:
    """Play ``ops``: ("edit", dev, rec, field, value[, author]) | ("delete", dev, rec[, author]) |
    ("sync", dev) | ("tick",). Returns the devices and the server before any final sync."""
    wall = FakeWall()
    PAST.clear()
    AUTHOR.clear()
    SERVER_KNOWN.clear()
    devices = make_devices(n_devices, wall)
    server: dict[str, Change] = {}
    for op in ops:
        if op[0] == "edit":
            _, d, r, f, v, *who = op
            devices[d % n_devices].edit(UUIDS[r], MODULES[r], {FIELDS[f]: v}, *who)
        elif op[0] == "delete":
            devices[op[1] % n_devices].delete(UUIDS[op[2]], *op[3:])
        elif op[0] == "sync":
            sync(devices[op[1] % n_devices], server)
        else:
            wall.t += 0.001
    return devices, server


def all_versions(devices: list[Device]):
    return list(itertools.chain.from_iterable(d.made for d in devices))
