"""A Debian 12 guest image for the VM lab (molecule/vm), built from Debian's packages and cached.

debootstrap (minbase) with the cloud kernel, systemd, sshd, Python 3 and Debian's python3-pyroute2 0.7,
into an ext4 file made with ``mke2fs -d`` (no loop device, no mount of the image). The kernel and its
initramfs are copied beside it: guests boot them directly (``qemu -kernel``), no boot loader. One image
serves every guest: each boots a copy-on-write overlay of it, and its kernel command line carries its
name and underlay address (``cnet.ip=``, ``cnet.gw=``), applied by a unit of the image's own at boot - the
OS's own network configuration, as ifupdown or networkd would do on a real machine.

The image is cached under /var/tmp/cnet-vm, keyed by its recipe (packages, files, mirror), so a second run
reuses it; a changed recipe builds a new one. The build runs in a mount namespace of its own (debootstrap's
/proc and /sys mounts go away with it, also after a crash) and into a temporary directory renamed when
complete: a half-built image is never used.
"""

import hashlib
import json
import os
import shutil
import subprocess

CACHE = os.environ.get("CNET_VM_CACHE", "/var/tmp/cnet-vm")
MIRROR = os.environ.get("CNET_VM_MIRROR", "http://deb.debian.org/debian")
SUITE = "bookworm"
SIZE = "3G"  # sparse: the file takes what is written
RECIPE = 1   # raise when the steps below change what the image holds
PACKAGES = [
    "linux-image-cloud-amd64", "initramfs-tools", "systemd-sysv", "udev", "dbus", "openssh-server",
    "python3", "python3-pyroute2", "python3-apt", "iproute2", "iptables", "conntrack", "kmod", "procps",
    "iputils-ping", "netcat-openbsd", "curl", "ca-certificates", "less",
]

# The guest's own network set-up: its name and underlay address from the kernel command line.
GUEST_NET = r"""#!/bin/sh
# cnet-lab guest: the underlay address and hostname from the kernel command line (cnet.ip=, cnet.gw=,
# systemd.hostname=), as the OS's own network configuration would set them on a real machine.
set -e
for arg in $(cat /proc/cmdline); do
  case "$arg" in cnet.ip=*) addr=${arg#cnet.ip=} ;; cnet.gw=*) gw=${arg#cnet.gw=} ;; esac
done
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$(hostname)" > /etc/hosts
ip link set lo up
ip link set eth0 up
[ -n "$addr" ] && ip addr replace "$addr" dev eth0
[ -n "$gw" ] && ip route replace default via "$gw"
exit 0
"""

GUEST_NET_UNIT = """[Unit]
Description=cnet-lab guest: underlay address from the kernel command line
DefaultDependencies=no
After=systemd-udevd.service systemd-udev-settle.service sys-subsystem-net-devices-eth0.device
Wants=sys-subsystem-net-devices-eth0.device network.target
Before=network.target ssh.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/lib/cnet-lab/net

[Install]
WantedBy=multi-user.target
"""

SSHD = """# cnet-lab guest
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
MaxStartups 50
MaxSessions 50
"""

FILES = {
    "/usr/lib/cnet-lab/net": (GUEST_NET, 0o755),
    "/etc/systemd/system/cnet-lab-net.service": (GUEST_NET_UNIT, 0o644),
    "/etc/ssh/sshd_config.d/cnet-lab.conf": (SSHD, 0o644),
    "/etc/fstab": ("/dev/vda / ext4 rw,errors=remount-ro 0 1\n", 0o644),
    "/etc/resolv.conf": ("# cnet-lab guest: no resolver (the lab has no DNS)\n", 0o644),
    # the guests' journal on disk, so a failed boot can be read after it (journalctl -b -1)
    "/etc/systemd/journald.conf.d/cnet-lab.conf": ("[Journal]\nStorage=persistent\n", 0o644),
}
LINKS = {
    "/etc/systemd/system/multi-user.target.wants/cnet-lab-net.service": "/etc/systemd/system/cnet-lab-net.service",
    # no console login prompts on the serial port: they would only slow the boot down
    "/etc/systemd/system/serial-getty@ttyS0.service": "/dev/null",
    "/etc/systemd/system/getty@tty1.service": "/dev/null",
    "/etc/systemd/system/systemd-firstboot.service": "/dev/null",
    "/etc/systemd/system/apt-daily.timer": "/dev/null",
    "/etc/systemd/system/apt-daily-upgrade.timer": "/dev/null",
    "/etc/systemd/system/e2scrub_all.timer": "/dev/null",
    "/etc/systemd/system/fstrim.timer": "/dev/null",
    "/etc/systemd/system/e2scrub_reap.service": "/dev/null",
}


class ImageError(RuntimeError):
    """The image could not be built; the message says which step and why."""


def recipe_key():
    text = json.dumps({"recipe": RECIPE, "suite": SUITE, "mirror": MIRROR, "packages": PACKAGES, "files": FILES,
                       "links": LINKS, "size": SIZE}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def image_dir():
    return os.path.join(CACHE, "image-" + recipe_key())


def paths(directory=None):
    d = directory or image_dir()
    return {"dir": d, "kernel": os.path.join(d, "vmlinuz"), "initrd": os.path.join(d, "initrd.img"),
            "disk": os.path.join(d, "root.ext4"), "key": os.path.join(d, "id_ed25519"),
            "meta": os.path.join(d, "image.json")}


def cached():
    """The image's paths if it is built, else None."""
    p = paths()
    return p if os.path.exists(p["meta"]) else None


def _run(argv, log, timeout, what):
    with open(log, "ab") as out:
        out.write(("\n$ %s\n" % " ".join(argv)).encode())
        out.flush()
        try:
            res = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ImageError("%s took longer than %d s (log: %s)" % (what, timeout, log))
    if res.returncode != 0:
        raise ImageError("%s failed (exit %d); the last lines of %s say why" % (what, res.returncode, log))


def _write(root, path, text, mode):
    full = root + path
    os.makedirs(os.path.dirname(full), exist_ok=True)
    if os.path.lexists(full):
        os.unlink(full)
    with open(full, "w") as f:
        f.write(text)
    os.chmod(full, mode)


def _configure(root, pubkey):
    for path, (text, mode) in FILES.items():
        _write(root, path, text, mode)
    for path, target in LINKS.items():
        full = root + path
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if os.path.lexists(full):
            os.unlink(full)
        os.symlink(target, full)
    os.makedirs(root + "/root/.ssh", mode=0o700, exist_ok=True)
    _write(root, "/root/.ssh/authorized_keys", pubkey, 0o600)
    for path in ("/etc/hostname", "/var/lib/dbus/machine-id"):
        if os.path.lexists(root + path):
            os.unlink(root + path)
    # a machine-id of its own, so no guest boot is a 'first boot' (systemd-firstboot would ask on the console)
    _write(root, "/etc/machine-id", hashlib.sha256(pubkey.encode()).hexdigest()[:32] + "\n", 0o444)
    shutil.rmtree(root + "/var/cache/apt/archives", ignore_errors=True)
    os.makedirs(root + "/var/cache/apt/archives/partial", exist_ok=True)
    shutil.rmtree(root + "/var/lib/apt/lists", ignore_errors=True)
    os.makedirs(root + "/var/lib/apt/lists/partial", exist_ok=True)


def build(log=None):
    """Build the image unless it is cached. Returns its paths."""
    done = cached()
    if done:
        return done
    for tool in ("debootstrap", "mke2fs", "ssh-keygen", "unshare"):
        if not shutil.which(tool):
            raise ImageError("%s is not installed (scripts/setup installs it)" % tool)
    os.makedirs(CACHE, exist_ok=True)
    final = paths()
    tmp = final["dir"] + ".building"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    log = log or os.path.join(CACHE, "build.log")
    p = paths(tmp)
    root = os.path.join(tmp, "root")
    try:
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cnet-vm", "-f", p["key"]], log, 30, "ssh-keygen")
        # debootstrap mounts /proc and /sys inside the target: a private mount namespace keeps them out of
        # the machine's and drops them if the build dies
        _run(["unshare", "--mount", "--propagation", "private", "--", "debootstrap", "--variant=minbase",
              "--include=" + ",".join(PACKAGES), SUITE, root, MIRROR], log, 1800, "debootstrap")
        with open(p["key"] + ".pub") as f:
            _configure(root, f.read())
        kernels = sorted(e for e in os.listdir(root + "/boot") if e.startswith("vmlinuz-"))
        if not kernels:
            raise ImageError("the image has no kernel in /boot (log: %s)" % log)
        version = kernels[-1][len("vmlinuz-"):]
        shutil.copy(root + "/boot/vmlinuz-" + version, p["kernel"])
        shutil.copy(root + "/boot/initrd.img-" + version, p["initrd"])
        _run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "cnetroot", "-d", root, p["disk"], SIZE], log, 600,
             "mke2fs")
        shutil.rmtree(root)
        with open(p["meta"], "w") as f:
            json.dump({"kernel": version, "key": recipe_key(), "packages": PACKAGES, "suite": SUITE}, f, indent=1)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.rename(tmp, final["dir"])
    for entry in os.listdir(CACHE):  # images of older recipes
        if entry.startswith("image-") and os.path.join(CACHE, entry) != final["dir"]:
            shutil.rmtree(os.path.join(CACHE, entry), ignore_errors=True)
    return paths()
