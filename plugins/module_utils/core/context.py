# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run's context: the state directory's lock and records, the handles the layers open on first use
(netlink sockets, ...) and what a run reports besides its plan (counters, warnings, extra result fields)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import fcntl
import json
import os
import time

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import EngineError

DEFAULT_STATE_DIR = "/var/lib/cnet"
LOCK_TIMEOUT = 300.0
JOURNAL = "creating.json"  # the links a plan being applied makes, with the marks it gives them


class Context:
    """Per-run handles and records. A layer opens its handle with handle(name, factory): once per run,
    closed with the run."""

    def __init__(self, state_dir, check=False):
        self.state_dir = state_dir
        self.check = check
        self.warnings = []
        self.extra = {}  # more result fields a resource reports (e.g. restore_calls)
        self.counts = {}  # e.g. netlink_writes
        self._handles = {}
        self._records = {}
        self._originals = {}  # kind -> the record file's bytes before this run first wrote it (None: no file)
        self.undo = []  # [(ops, [undo actions])] of each plan this run applied, in order

    def handle(self, name, factory):
        if name not in self._handles:
            self._handles[name] = factory()
        return self._handles[name]

    def applied(self):
        """A plan was applied: handles that cache what they read (netlink views) forget what it changed."""
        for handle in self._handles.values():
            forget = getattr(handle, "applied", None)
            if forget is not None:
                forget()

    def count(self, name, more=1):
        self.counts[name] = self.counts.get(name, 0) + more

    def close(self):
        handles, self._handles = self._handles, {}
        for handle in reversed(list(handles.values())):
            handle.close()

    def records(self, kind):
        """A small JSON document kept in the state directory (e.g. which namespace names we bound)."""
        if kind not in self._records:
            try:
                with open(os.path.join(self.state_dir, kind + ".json")) as handle:
                    self._records[kind] = [json.load(handle), False]
            except (OSError, ValueError):
                self._records[kind] = [{}, False]
        return self._records[kind][0]

    def journal(self, entries):
        """Before a plan is applied: [(namespace, link, mark)] of the links it makes and marks in later steps
        (an interface's alias cannot be given when it is created). Removed when the plan is done or rolled
        back; left by a run that was killed, for the next run to mark what that one made (netlink.sockets)."""
        path = os.path.join(self.state_dir, JOURNAL)
        if entries:
            write_file(path, json.dumps([list(entry) for entry in entries]).encode())
        elif os.path.exists(path):
            os.unlink(path)

    def interrupted(self):
        """[(namespace, link, mark)] an interrupted run journaled ([] when none, or no state directory)."""
        if not self.state_dir:
            return []
        try:
            with open(os.path.join(self.state_dir, JOURNAL)) as handle:
                return [tuple(entry) for entry in json.load(handle)]
        except (OSError, ValueError):
            return []

    def touch(self, kind):
        self._records[kind][1] = True

    def save(self):
        for kind, entry in self._records.items():
            data, dirty = entry
            if dirty:
                target = os.path.join(self.state_dir, kind + ".json")
                if kind not in self._originals:
                    self._originals[kind] = _read_bytes(target)
                write_file(target, json.dumps(data, indent=1, sort_keys=True).encode())
                entry[1] = False

    def restore_records(self):
        """Put every record this run wrote back as it was before the run (a call that failed is undone whole);
        the kinds put back."""
        for kind, data in sorted(self._originals.items()):
            target = os.path.join(self.state_dir, kind + ".json")
            if data is None:
                if os.path.exists(target):
                    os.unlink(target)
            else:
                write_file(target, data)
        kinds, self._originals, self._records = sorted(self._originals), {}, {}
        return kinds


def _read_bytes(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def write_file(path, data, mode=0o600):
    """Replace path with data whole: a new file beside it, flushed to disk, renamed over it, and the rename
    flushed too (a crash leaves the old record or the new one, never an empty or half one)."""
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, path)
    folder = os.open(os.path.dirname(path) or ".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class Lock:
    """flock on <state_dir>/lock: two runs on one host wait for each other instead of racing."""

    def __init__(self, state_dir, timeout=LOCK_TIMEOUT):
        self.state_dir = state_dir
        self.timeout = timeout
        self.fd = None

    def __enter__(self):
        if not os.path.isdir(self.state_dir):
            os.makedirs(self.state_dir, 0o700)
        self.fd = os.open(os.path.join(self.state_dir, "lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.time() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.time() > deadline:
                    os.close(self.fd)
                    raise EngineError("could not lock %s/lock within %d s: another cnet.linux run holds it"
                                      % (self.state_dir, self.timeout))
                time.sleep(0.05)

    def __exit__(self, *exc):
        os.close(self.fd)  # closing releases the flock
        self.fd = None
