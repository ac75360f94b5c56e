"""Lab hosts that are virtual machines: Debian 12 guests under QEMU (``cnet-lab up N --vm``).

A VM lab has the same shape as a namespace lab: one fabric namespace with the underlay bridge ``ua``
(192.0.2.0/24, the fabric at .1, "the outside" 203.0.113.1 on its loopback), host i at 192.0.2.(10 + i),
reached over SSH through the lab's ``proxy`` (``nc`` inside the fabric). Each host is a QEMU process started
inside the fabric namespace, its NIC a tap device created there on ``ua``: nothing is created in the
machine's own network namespace. Its disk is a copy-on-write overlay of the cached image (lab/image.py),
so each guest starts as built and the image stays clean.

Acceleration: KVM where /dev/kvm opens and a guest boots with it; nested KVM hangs at boot on some machines,
so a KVM guest that shows no SSH banner in KVM_WAIT seconds is taken down and the lab starts again under TCG
(software emulation, about 90 s per boot). The verdict is remembered per kernel and QEMU version
(/var/tmp/cnet-vm/accel.json), so the hang costs its wait once. CNET_VM_ACCEL=kvm|tcg overrides.
"""

import json
import os
import platform
import shlex
import shutil
import subprocess
import urllib.request

from . import image, topology

KVM_WAIT = 60.0
TCG_WAIT = 420.0
MEMORY_MB = 1024
TCG_CPU = os.environ.get("CNET_VM_CPU", "max")  # the CPU model QEMU emulates under TCG
ACCEL_FILE = os.path.join(image.CACHE, "accel.json")


class VmError(RuntimeError):
    """A guest could not be started; the message says why."""


def missing_tools():
    """What this machine lacks to boot a guest (empty: it can)."""
    need = ["qemu-system-x86_64", "qemu-img", "debootstrap", "mke2fs"]
    lacks = [t for t in need if not shutil.which(t)]
    if platform.machine() != "x86_64":
        lacks.append("an x86_64 machine (this is %s)" % platform.machine())
    if not os.path.exists("/dev/net/tun"):
        lacks.append("/dev/net/tun")
    return lacks


def cannot_boot():
    """Why this machine cannot boot a guest for the VM lab, or None when it can: the tools, and the image
    cached or Debian's mirror reachable to build it."""
    lacks = missing_tools()
    if lacks:
        return "it lacks %s (scripts/setup installs the tools on Debian/Ubuntu)" % ", ".join(lacks)
    if image.cached():
        return None
    url = image.MIRROR.rstrip("/") + "/dists/%s/Release" % image.SUITE
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=15):
            return None
    except (OSError, ValueError) as exc:
        return "no guest image is cached under %s and Debian's mirror %s does not answer (%s)" % (
            image.CACHE, image.MIRROR, exc)


def _qemu_version():
    res = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True, check=False)
    return (res.stdout.splitlines() or ["?"])[0]


def _accel_key():
    return "%s | %s" % (platform.release(), _qemu_version())


def _known_accels():
    """The accelerator each kernel and QEMU version booted with before ({key: 'kvm' or 'tcg'})."""
    try:
        with open(ACCEL_FILE) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def accel_choices():
    """Accelerators to try, in order: ['kvm', 'tcg'], or ['tcg'] when KVM cannot be opened or hung here before."""
    forced = os.environ.get("CNET_VM_ACCEL")
    if forced in ("kvm", "tcg"):
        return [forced]
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return ["tcg"]
    return ["tcg"] if _known_accels().get(_accel_key()) == "tcg" else ["kvm", "tcg"]


def remember_accel(accel):
    known = _known_accels()
    known[_accel_key()] = accel
    with open(ACCEL_FILE + ".tmp", "w") as f:
        json.dump(known, f, indent=1, sort_keys=True)
    os.replace(ACCEL_FILE + ".tmp", ACCEL_FILE)


def wait_for(accel):
    return KVM_WAIT if accel == "kvm" else TCG_WAIT


def mac(index):
    return "52:54:00:c0:02:%02x" % (10 + index)


def fabric_batch(lab):
    """``ip -batch`` lines in the fabric: one tap device per guest on the underlay bridge."""
    lines = []
    for host in lab["hosts"]:
        lines += ["tuntap add dev %s mode tap" % host["port"], "link set %s master ua up" % host["port"]]
    return lines


def prepare_disk(img, hdir):
    disk = os.path.join(hdir, "disk.qcow2")
    if os.path.exists(disk):
        os.unlink(disk)
    res = subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", img["disk"], disk],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise VmError("qemu-img create %s failed: %s" % (disk, res.stderr.strip()))
    return disk


# Each reboot of a guest is a cold boot: QEMU exits when the guest resets (-no-reboot) and this loop starts it
# again with the same disk. A warm reset under TCG made the next boot up to four times slower (the guest's
# memory all dirty, page clearing starving its one vCPU: soft lockups of 20 s seen); a fresh process boots as
# fast as the first time. A guest that powers off is started again too; 'cnet-lab down' ends it.
SUPERVISE = 'while "$@"; do echo "cnet-lab: guest reset: booting it again" >&2; done'


def supervised(argv):
    return ["sh", "-c", SUPERVISE, "qemu"] + list(argv) + ["-no-reboot"]


def qemu_argv(img, host, index, disk, console, accel):
    append = " ".join([
        "root=/dev/vda", "rw", "console=ttyS0", "net.ifnames=0", "quiet", "systemd.show_status=0",
        "init_on_alloc=0",  # Debian's default zeroes every page allocated: costly at emulated speed
        "systemd.hostname=%s" % host["name"],
        "cnet.ip=%s/%d" % (host["address"], host["prefix"]), "cnet.gw=%s" % host["gateway"],
    ])
    cpu = ["-accel", "kvm", "-cpu", "host"] if accel == "kvm" else ["-accel", "tcg,thread=multi", "-cpu", TCG_CPU]
    return ["qemu-system-x86_64", "-name", host["name"], "-machine", "q35"] + cpu + [
        "-smp", "1", "-m", str(MEMORY_MB), "-no-user-config", "-nodefaults", "-display", "none",
        "-kernel", img["kernel"], "-initrd", img["initrd"], "-append", append,
        "-drive", "file=%s,if=virtio,format=qcow2,cache=unsafe,discard=unmap" % disk,
        "-netdev", "tap,id=underlay,ifname=%s,script=no,downscript=no" % host["port"],
        "-device", "virtio-net-pci,netdev=underlay,mac=%s" % mac(index),
        "-device", "virtio-rng-pci",
        "-chardev", "file,id=console,path=%s,append=on" % console, "-serial", "chardev:console",
    ]


def ssh_argv(lab_dir, key, address, argv):
    """ssh into a guest through the lab's proxy (no route to it from this namespace); argv is quoted for the
    guest's shell, so it runs as given, as nsenter would run it."""
    options = ("BatchMode=yes", "ProxyCommand=%s/proxy %%h %%p" % lab_dir, "ConnectTimeout=20") + topology.SSH_QUIET
    return (["ssh", "-i", key] + [arg for option in options for arg in ("-o", option)]
            + ["root@%s" % address, "--", " ".join(shlex.quote(a) for a in argv)])
