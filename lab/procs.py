"""Processes of a lab: start them in the lab's cgroup, recognise them, end them.

Every process a lab starts (namespace holders, sshd, everything Ansible runs
over SSH and every server a test starts inside a host) lives in one cgroup,
``cnet-lab.<name>``, so ``down`` ends exactly those processes by pid, also
after the controller crashed. Without a writable cgroup2 mount the recorded
holder pids and their descendants are used instead.
"""

import os
import signal
import subprocess
import time

CGROUP_PREFIX = "cnet-lab."


def cgroup2_root():
    try:
        with open("/proc/self/mounts") as f:
            for line in f:
                fields = line.split()
                if fields[2] == "cgroup2" and os.access(fields[1], os.W_OK):
                    return fields[1]
    except OSError:
        pass
    return None


def cgroup_path(name):
    root = cgroup2_root()
    return os.path.join(root, CGROUP_PREFIX + name) if root else None


def cgroup_create(name):
    path = cgroup_path(name)
    if path is None:
        return None
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return None
    return path


def cgroup_tree(path):
    """path and the cgroups below it, deepest first (the order they can be removed in)."""
    if not path or not os.path.isdir(path):
        return []
    below = []
    for top, dirs, _files in os.walk(path):
        below += [os.path.join(top, d) for d in dirs]
    return sorted(below, key=lambda p: -p.count("/")) + [path]


def cgroup_pids(path):
    """The processes in path and in the cgroups below it (a container runtime started in a lab host makes
    its containers' cgroups inside the lab's)."""
    pids = []
    for group in cgroup_tree(path):
        try:
            with open(os.path.join(group, "cgroup.procs")) as f:
                pids += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return pids


def start_time(pid):
    """The kernel's start time of pid (clock ticks since boot), or None if it is gone or a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    # comm may hold spaces and parentheses: split after the last ')'
    fields = data.rsplit(")", 1)[1].split()
    return None if fields[0] in ("Z", "X") else int(fields[19])


def alive(pid, started):
    return pid is not None and start_time(pid) == started and started is not None


def spawn(argv, log_path, cgroup=None, env=None):
    """Start argv detached (own session), inside cgroup when given. Returns (pid, start)."""

    def enter_cgroup():
        if cgroup:
            with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))

    with open(log_path, "ab") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=enter_cgroup, env=env, close_fds=True)
    return proc.pid, start_time(proc.pid)


def children_map():
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def descendants(pids):
    kids = children_map()
    seen, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        todo.extend(kids.get(pid, []))
    return seen


def end(recorded, cgroup, timeout=3.0):
    """End the lab's processes: those in its cgroup, and the recorded (pid, start)
    pairs that are still the processes we started, with their descendants."""
    own = [pid for pid, started in recorded if alive(pid, started)]

    def targets():
        pids = set(cgroup_pids(cgroup))
        pids |= descendants([p for p in own if start_time(p) is not None])
        pids.discard(os.getpid())
        return pids

    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, timeout)):
        pids = targets()
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and targets():
            reap_children()
            time.sleep(0.02)
    reap_children()
    left = targets()
    if cgroup and not left:
        deadline = time.monotonic() + 1.0
        for group in cgroup_tree(cgroup):
            while os.path.isdir(group):
                try:
                    os.rmdir(group)
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
    return left


def reap_children():
    """Collect exited children of this process so they do not linger as zombies."""
    while True:
        try:
            pid = os.waitpid(-1, os.WNOHANG)[0]
        except ChildProcessError:
            return
        if pid == 0:
            return
