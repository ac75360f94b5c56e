"""Bring a simulated fleet up and down.

Each host is a process tree in its own network, mount and UTS namespace: a
private ``/run`` (so ``/run/netns``, locks and ``xtables.lock`` are its own),
its own ``/sys``, its own ``/var/lib/cnet``, ``/etc/systemd/system``,
``/usr/local/sbin``, ``/usr/local/lib/cnet`` and ``/etc/netns`` (bound from the lab directory,
so they survive ``reboot``), its own hostname (named in its own ``/etc/hosts``),
a real ``sshd`` on its underlay address, and one process in a network namespace
of its own (for ``pid:`` adoption). Hosts hang off bridges in a *fabric*
namespace. Nothing is created in the root network namespace: veth pairs are
made inside the fabric with their peer created directly in the host's namespace.
"""

import json
import os
import shutil
import subprocess
import sys
import time

from . import image, procs, topology, vm

ROOT = os.environ.get("CNET_LAB_DIR", "/var/tmp/cnet-lab")
# Directories each host has of its own (bound from the lab directory over the machine's): the collection's
# state, and where the host role installs cnet-restore, its engine and its systemd units - so a lab host gets
# exactly what a real one gets and the machine's own files are never written.
HOST_MOUNTS = ("/var/lib/cnet", "/etc/systemd/system", "/usr/local/sbin", "/usr/local/lib/cnet", "/etc/netns")

# Runs inside a host's fresh namespaces, then becomes its sshd.
SSHD = "/usr/sbin/sshd"  # what HOST_INIT runs: a lab host is reached over SSH
HOST_INIT = r"""
set -e
host=$1 state=$2 config=$3 hosts=$4 root=$5
mount -t tmpfs -o mode=0755 cnet-lab-run /run
mkdir -p /run/sshd /run/netns /run/lock /run/cnet
mount -t sysfs sysfs /sys
# the lab's cgroup as this host's cgroup root (a cgroup namespace of its own): a container runtime started
# here makes its cgroups inside the lab's, where 'down' finds them
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount --bind "$state" /var/lib/cnet
for dir in /etc/systemd/system /usr/local/sbin /usr/local/lib/cnet /etc/netns; do mount --bind "$root$dir" "$dir"; done
mount --bind "$hosts" /etc/hosts
# root's shell start-up file is the machine's (pyenv, cargo ...): bash reads it for every SSH command, ~0.2 s
# each here; a lab host has its own, as a managed host would
if [ -f /root/.bashrc ]; then mount --bind "$root/bashrc" /root/.bashrc; fi
hostname "$host"
exec /usr/sbin/sshd -D -e -f "$config"
"""

# A host's own /etc/hosts names it, as a Debian installer writes it: resolving the hostname (Ansible's
# facts ask for the FQDN) must not wait for a DNS server the lab cannot reach (10 s per fact gathering).
ETC_HOSTS = """127.0.0.1\tlocalhost
127.0.1.1\t{host}
::1\tlocalhost ip6-localhost ip6-loopback
"""

SSHD_CONFIG = """# cnet-lab sshd for lab {name}
Port 22
ListenAddress 0.0.0.0
HostKey {dir}/ssh_host_ed25519_key
AuthorizedKeysFile {root}/id_ed25519.pub
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
PidFile /run/sshd.pid
MaxStartups 200
MaxSessions 200
LogLevel ERROR
Subsystem sftp internal-sftp
"""

# Polls TCP port 22 of every host from inside the fabric until each answers with an SSH banner.
WAIT_SSH = r"""
import socket, sys, time
todo, deadline = set(sys.argv[2:]), time.monotonic() + float(sys.argv[1])
while todo and time.monotonic() < deadline:
    for addr in sorted(todo):
        try:
            with socket.create_connection((addr, 22), timeout=0.5) as s:
                s.settimeout(2)
                if s.recv(8).startswith(b"SSH-"):
                    todo.discard(addr)
        except OSError:
            pass
    if todo:
        time.sleep(0.05)
print(" ".join(sorted(todo)))
sys.exit(1 if todo else 0)
"""


class LabError(RuntimeError):
    """A lab operation that failed; the message says what and why."""


def lab_dir(name):
    return os.path.join(ROOT, name)


def state_path(name):
    return os.path.join(lab_dir(name), "lab.json")


def key_file():
    return os.path.join(ROOT, "id_ed25519")


def fabric_link(name):
    return os.path.join(lab_dir(name), "fabric.net")


def inventory_path(name):
    return os.path.join(lab_dir(name), "hosts.ini")


def load(name):
    try:
        with open(state_path(name)) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise LabError("lab %s: state file %s is damaged (%s); run 'cnet-lab clean --all'"
                       % (name, state_path(name), exc))


def save(state):
    path = state_path(state["name"])
    with open(path + ".tmp", "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(path + ".tmp", path)


def names():
    try:
        return sorted(e for e in os.listdir(ROOT) if os.path.isdir(os.path.join(ROOT, e)))
    except FileNotFoundError:
        return []


def _run(argv, stdin=None, timeout=30):
    res = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout, check=False)
    if res.returncode != 0:
        raise LabError("%s failed (exit %d): %s" % (" ".join(argv[:6]), res.returncode,
                                                    (res.stderr or res.stdout).strip()[-800:]))
    return res.stdout


def nsenter(pid, mount=False):
    argv = ["nsenter", "-t", str(pid), "-n", "-u"]
    return argv + ["-m"] if mount else argv


def _ensure_keys(name):
    os.makedirs(lab_dir(name), mode=0o755, exist_ok=True)
    if not os.path.exists(key_file()):
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cnet-lab", "-f", key_file()])
    hostkey = os.path.join(lab_dir(name), "ssh_host_ed25519_key")
    if not os.path.exists(hostkey):
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cnet-lab-" + name, "-f", hostkey])
    config = os.path.join(lab_dir(name), "sshd_config")
    with open(config, "w") as f:
        f.write(SSHD_CONFIG.format(name=name, dir=lab_dir(name), root=ROOT))
    return config


def _netns_ino(pid):
    try:
        return os.stat("/proc/%d/ns/net" % pid).st_ino
    except OSError:
        return None


def _wait_unshared(pids, timeout=30.0, parents=()):
    """Wait until each process is in a network namespace of its own (not this one, not one of parents'). A new
    namespace waits for the kernel's cleanup of dying ones (one lock): seconds while a big lab goes down."""
    taken = {os.stat("/proc/self/ns/net").st_ino, None} | {_netns_ino(p) for p in parents}
    deadline = time.monotonic() + timeout
    pending = set(pids)
    while pending and time.monotonic() < deadline:
        gone = sorted(p for p in pending if not os.path.exists("/proc/%d" % p))
        if gone:
            raise LabError("processes %s ended before they had a network namespace of their own (see lab.log and "
                           "the hosts' sshd.log)" % gone)
        pending = {p for p in pending if _netns_ino(p) in taken}
        if pending:
            time.sleep(0.005)
    if pending:
        raise LabError("processes %s did not get their own network namespace" % sorted(pending))


def _batch(pid):
    return subprocess.Popen(nsenter(pid) + ["ip", "-batch", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc, what, lines):
    out, err = proc.communicate("\n".join(lines) + "\n", timeout=30)
    if proc.returncode != 0:
        raise LabError("configuring %s failed: %s" % (what, (err or out).strip()[-800:]))


def up(name, count, routed=False, owner=None, python="/usr/bin/python3", wait=15.0, guests=False, mtu=1500):
    """Start a lab; replaces a lab of the same name. Returns the state dict.

    guests: the hosts are QEMU virtual machines (lab/vm.py) instead of namespaces of this kernel.
    mtu: the underlay's MTU (namespace labs)."""
    if os.geteuid() != 0:
        raise LabError("cnet-lab needs root (it creates namespaces)")
    if guests and mtu != 1500:
        raise LabError("--underlay-mtu is for namespace labs; VM guests' NICs keep 1500")
    if not guests and not os.path.exists(SSHD):
        raise LabError("%s is missing: the lab's hosts are reached over SSH (apt-get install openssh-server, "
                       "or scripts/setup, which installs everything the lab needs)" % SSHD)
    lab = topology.plan(name, count, routed, mtu)
    img = _guest_image(routed) if guests else None
    if os.path.exists(lab_dir(name)):
        down(name)
    started = time.monotonic()
    config = _ensure_keys(name)
    if not guests:
        for path in HOST_MOUNTS:
            os.makedirs(path, exist_ok=True)  # mount point only; each host binds its own directory over it
    cgroup = procs.cgroup_create(name)
    state = dict(lab, cgroup=cgroup, pids={}, owner=None, inventory=inventory_path(name), guests=bool(guests))
    save(state)  # from here on, a failure or crash leaves something 'down'/'clean' can find
    try:
        if guests:
            _start_guests(state, img, python)
        else:
            _start(state, config, python)
            _wait_ssh(state, wait)
    except BaseException:
        down(name)
        raise
    if owner:
        _start_reaper(state, owner)
    state["up_seconds"] = round(time.monotonic() - started, 3)
    save(state)
    return state


def _holder(state, member, log):
    """A process holding a network namespace of its own for the fabric or the router."""
    state["pids"][member] = procs.spawn(["unshare", "--net", "--uts", "--", "sh", "-c",
                                         "hostname %s; exec sleep infinity" % member], log, state["cgroup"])
    save(state)


def _link_fabric(state):
    if os.path.lexists(fabric_link(state["name"])):
        os.unlink(fabric_link(state["name"]))
    os.symlink("/proc/%d/ns/net" % state["pids"]["fabric"][0], fabric_link(state["name"]))


def _write_access(state, key, python):
    """The SSH proxy into the fabric and the inventory that uses it."""
    d = lab_dir(state["name"])
    proxy = os.path.join(d, "proxy")
    with open(proxy, "w") as f:
        f.write(topology.proxy_script(state, d, state["cgroup"]))
    os.chmod(proxy, 0o755)
    with open(inventory_path(state["name"]), "w") as f:
        f.write(topology.inventory_ini(state, key, d, python))


def _start(state, config, python):
    d = lab_dir(state["name"])
    log = os.path.join(d, "lab.log")
    pids = state["pids"]
    _holder(state, "fabric", log)
    if state["routed"]:
        _holder(state, "router", log)
    for host in state["hosts"]:
        hdir = os.path.join(d, "hosts", host["name"])
        os.makedirs(os.path.join(hdir, "state"), exist_ok=True)
        for path in HOST_MOUNTS[1:]:
            os.makedirs(os.path.join(hdir, "root") + path, exist_ok=True)
        for wants in ("multi-user.target.wants", "timers.target.wants"):  # as every systemd machine has them
            os.makedirs(os.path.join(hdir, "root", "etc", "systemd", "system", wants), exist_ok=True)
        with open(os.path.join(hdir, "root", "bashrc"), "w") as f:
            f.write("# root's ~/.bashrc on lab host %s (the machine's is not read here)\n" % host["name"])
        hosts_file = os.path.join(hdir, "etc-hosts")
        with open(hosts_file, "w") as f:
            f.write(ETC_HOSTS.format(host=host["name"]))
        pids[host["name"]] = procs.spawn(
            ["unshare", "--net", "--mount", "--uts", "--cgroup", "--propagation", "private", "--",
             "sh", "-c", HOST_INIT, "sh", host["name"], os.path.join(hdir, "state"), config, hosts_file,
             os.path.join(hdir, "root")],
            os.path.join(hdir, "sshd.log"), state["cgroup"])
    save(state)
    _wait_unshared([pair[0] for pair in pids.values()])
    _start_jobs(state, log)
    _link_fabric(state)
    host_pids = {h["name"]: pids[h["name"]][0] for h in state["hosts"]}
    router_pid = pids["router"][0] if state["routed"] else None
    fabric = _batch(pids["fabric"][0])
    _finish(fabric, "the fabric", topology.fabric_batch(state, host_pids, router_pid))
    jobs = [(_batch(host_pids[h["name"]]), h["name"], topology.host_batch(h)) for h in state["hosts"]]
    if router_pid:
        jobs.append((_batch(router_pid), "the router", topology.router_batch(state.get("mtu", 1500))))
    for proc, what, lines in jobs:
        _finish(proc, what, lines)
    if router_pid:
        _run(nsenter(router_pid) + ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"])
    _write_access(state, key_file(), python)


def _guest_image(routed):
    if routed:
        raise LabError("a VM lab has a flat underlay: leave out --routed")
    lacks = vm.missing_tools()
    if lacks:
        raise LabError("this machine cannot boot guests: it lacks %s (scripts/setup installs the tools)"
                       % ", ".join(lacks))
    try:
        return image.build()
    except image.ImageError as exc:
        raise LabError("the guest image could not be built: %s" % exc)


def _start_guests(state, img, python):
    """The fabric with a tap device per guest, then the guests: KVM first where it may work, TCG if a KVM
    guest shows no SSH banner in time (nested KVM hangs at boot on some machines)."""
    name, d = state["name"], lab_dir(state["name"])
    log = os.path.join(d, "lab.log")
    pids = state["pids"]
    _holder(state, "fabric", log)
    _wait_unshared([pids["fabric"][0]])
    _link_fabric(state)
    _finish(_batch(pids["fabric"][0]), "the fabric", topology.fabric_batch(state, None) + vm.fabric_batch(state))
    _write_access(state, img["key"], python)
    tried = []
    for accel in vm.accel_choices():
        started = time.monotonic()
        for index, host in enumerate(state["hosts"], 1):
            hdir = os.path.join(d, "hosts", host["name"])
            os.makedirs(hdir, exist_ok=True)
            disk = vm.prepare_disk(img, hdir)
            console = os.path.join(hdir, "console.log")
            argv = vm.qemu_argv(img, host, index, disk, console, accel)
            pids[host["name"]] = procs.spawn(["nsenter", "--net=" + fabric_link(name), "--"] + vm.supervised(argv),
                                             os.path.join(hdir, "qemu.log"), state["cgroup"])
        state["vm"] = {"accel": accel, "image": img["dir"], "key": img["key"]}
        save(state)
        try:
            _wait_ssh(state, vm.wait_for(accel))
        except LabError as exc:
            tried.append("%s: %s" % (accel, exc))
            guests = [tuple(pids.pop(h["name"])) for h in state["hosts"]]
            procs.end(guests, None)
            continue
        state["vm"]["boot_seconds"] = round(time.monotonic() - started, 1)
        vm.remember_accel(accel)
        return
    raise LabError("no guest booted (%s); their consoles: %s/hosts/*/console.log" % ("; ".join(tried), d))


def _start_jobs(state, log):
    """One process per host in a network namespace of its own (as another runtime's container with no
    network): its pid is the host's cnet_lab_job_pid in the inventory, for pid adoption (``pid:``)."""
    hosts = dict((h["name"], state["pids"][h["name"]][0]) for h in state["hosts"])
    jobs = state.setdefault("jobs", {})
    for name, pid in hosts.items():
        jobs[name] = procs.spawn(nsenter(pid, mount=True) + ["--", "unshare", "--net", "--", "sleep", "infinity"],
                                 log, state["cgroup"])
    save(state)
    _wait_unshared([pair[0] for pair in jobs.values()], parents=hosts.values())


def _wait_ssh(state, wait):
    addrs = [h["address"] for h in state["hosts"]]
    res = subprocess.run(nsenter(state["pids"]["fabric"][0]) + [sys.executable, "-c", WAIT_SSH, str(wait)] + addrs,
                         capture_output=True, text=True, timeout=wait + 10, check=False)
    if res.returncode != 0:
        raise LabError("sshd did not answer in %.0f s on: %s (see %s/hosts/*/sshd.log)"
                       % (wait, res.stdout.strip() or res.stderr.strip(), lab_dir(state["name"])))


def _start_reaper(state, owner):
    """A watcher outside the lab's cgroup that takes the lab down when its owner process ends."""
    owner_start = procs.start_time(owner)
    if owner_start is None:
        raise LabError("owner process %d does not exist" % owner)
    state["owner"] = [owner, owner_start]
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=pkg_parent)
    state["reaper"] = procs.spawn([sys.executable, "-m", "lab", "_reap", state["name"]],
                                  os.path.join(lab_dir(state["name"]), "reaper.log"), None, env)


def reap(name, interval=0.5):
    """Body of the reaper: wait for the owner to end, then take the lab down."""
    while True:
        state = load(name)
        if state is None or not state.get("owner"):
            return
        if not procs.alive(*state["owner"]):
            down(name)
            return
        time.sleep(interval)


def recorded_pids(state):
    return [tuple(v) for v in list(state.get("pids", {}).values()) + list(state.get("jobs", {}).values())]


def down(name):
    """End every process of the lab and remove its directory. Safe to call twice."""
    state = load(name) or {}
    cgroup = state.get("cgroup") or procs.cgroup_path(name)
    try:
        left = procs.end(recorded_pids(state), cgroup)
    except OSError as exc:
        raise LabError("lab %s: could not remove its cgroup %s: %s" % (name, cgroup, exc))
    if left:
        raise LabError("lab %s: processes %s did not end" % (name, sorted(left)))
    reaper = state.get("reaper")
    shutil.rmtree(lab_dir(name), ignore_errors=True)
    if reaper and procs.alive(*reaper) and reaper[0] != os.getpid():
        os.kill(reaper[0], 15)


def health(name):
    """(state, {member: alive}) for a lab; member is fabric, router or a host name."""
    state = load(name)
    if state is None:
        return None, {}
    return state, {member: procs.alive(*pair) for member, pair in state.get("pids", {}).items()}


def is_stale(name):
    state, members = health(name)
    if state is None or not members:
        return True
    if state.get("owner") and not procs.alive(*state["owner"]):
        return True
    expected = {"fabric"} | {h["name"] for h in state["hosts"]} | ({"router"} if state["routed"] else set())
    return set(members) != expected or not all(members.values())


def clean(everything=False):
    """Take down stale labs (a crashed run's leftovers), or all labs. Returns the names removed."""
    removed, labs = [], names()
    for name in labs:
        if everything or is_stale(name):
            down(name)
            removed.append(name)
    root = procs.cgroup2_root()
    if root:
        for entry in os.listdir(root):
            if entry.startswith(procs.CGROUP_PREFIX) and entry[len(procs.CGROUP_PREFIX):] not in labs:
                procs.end([], os.path.join(root, entry))
                removed.append(entry[len(procs.CGROUP_PREFIX):])
    return sorted(set(removed))


# What a reboot loses on a lab host, wiped inside it: every namespace binding, every link but lo and the
# underlay's eth0 (the OS's own network configuration, which a real host brings back itself), the iptables
# rules and chains of every table in both backends, conntrack entries, IPv4 forwarding back to the kernel's
# default. The state directory and the files on disk stay. Kernel modules stay loaded (one kernel for the lab).
REBOOT = r"""
ip -all netns delete 2>/dev/null || true
for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1); do
  case "$link" in lo|eth0) ;; *) ip link del "$link" 2>/dev/null || true ;; esac
done
for cmd in iptables-legacy iptables-nft ip6tables-legacy ip6tables-nft; do
  for table in raw mangle nat filter security; do
    $cmd -t $table -F 2>/dev/null || true
    $cmd -t $table -X 2>/dev/null || true
  done
  for chain in INPUT FORWARD OUTPUT; do $cmd -P $chain ACCEPT 2>/dev/null || true; done
done
conntrack -F >/dev/null 2>&1 || true
ip neigh flush all 2>/dev/null || true
sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
"""


# Then, as systemd would at boot, the ExecStart of every unit enabled in the host's multi-user.target.
BOOT = r"""
for unit in /etc/systemd/system/multi-user.target.wants/*.service; do
  [ -e "$unit" ] || continue
  command=$(sed -n 's/^ExecStart=//p' "$unit" | head -n1)
  echo "boot: $(basename "$unit"): $command"
  sh -c "$command"
  echo "boot: $(basename "$unit"): exit $?"
done
"""


def reboot(name, host, boot=True):
    """Take a lab host's network back to what it has after a reboot (REBOOT), then (boot) run what its enabled
    units start at boot (BOOT). Returns what they printed. A VM lab's guest reboots for real."""
    state = load(name) or {}
    if state.get("vm"):
        return _reboot_guest(name, state, host)
    res = subprocess.run(exec_argv(name, host, ["sh", "-c", REBOOT]), capture_output=True, text=True, timeout=60,
                         check=False)
    if res.returncode != 0:
        raise LabError("reboot of %s in lab %s failed: %s" % (host, name, (res.stderr or res.stdout).strip()))
    if not boot:
        return ""
    res = subprocess.run(exec_argv(name, host, ["sh", "-c", BOOT]), capture_output=True, text=True, timeout=300,
                         check=False)
    return res.stdout + res.stderr


def _reboot_guest(name, state, host, timeout=600.0):
    """systemctl reboot in the guest, then wait until it answers with a new boot id."""
    def boot_id():
        res = subprocess.run(exec_argv(name, host, ["cat", "/proc/sys/kernel/random/boot_id"]), capture_output=True,
                             text=True, timeout=60, check=False)
        return res.stdout.strip() if res.returncode == 0 else None

    before = boot_id()
    if not before:
        raise LabError("guest %s in lab %s does not answer over SSH" % (host, name))
    started = time.monotonic()
    subprocess.run(exec_argv(name, host, ["systemctl", "reboot"]), capture_output=True, timeout=60, check=False)
    while time.monotonic() - started < timeout:
        now = boot_id()
        if now and now != before:
            return "guest rebooted; SSH answers again after %.0f s\n" % (time.monotonic() - started)
        time.sleep(2)
    raise LabError("guest %s in lab %s did not come back in %.0f s (see %s/hosts/%s/console.log)"
                   % (host, name, timeout, lab_dir(name), host))


def member_pid(name, member, state=None):
    state = state or load(name)
    if state is None:
        raise LabError("no lab named %s (see 'cnet-lab status')" % name)
    pair = state["pids"].get(member)
    if not pair or not procs.alive(*pair):
        raise LabError("lab %s has no running member %s (members: %s)"
                       % (name, member, ", ".join(sorted(state["pids"]))))
    return pair[0]


def exec_argv(name, member, argv):
    """argv that runs a command inside a lab member's namespaces and in the lab's cgroup,
    so that whatever it leaves running is ended by 'down' like the lab's own processes."""
    state = load(name)
    pid = member_pid(name, member, state)
    if state.get("vm") and member not in ("fabric", "router"):
        address = next(h["address"] for h in state["hosts"] if h["name"] == member)
        inner = vm.ssh_argv(lab_dir(name), state["vm"]["key"], address, argv)
    else:
        inner = nsenter(pid, mount=member not in ("fabric", "router")) + ["--"] + list(argv)
    if not state.get("cgroup"):
        return inner
    return ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', state["cgroup"]] + inner
