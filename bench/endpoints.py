"""Benchmark (issue 3; issue 18 adds the CNI plugins): converge N container endpoints on one lab host - a
namespace, a veth pair with the peer inside it, the host end a bridge port, an address and a default route -
through the modules' list forms in ansible-playbook, beside a hand-written shell script of ip commands and
the CNI reference plugins (loopback, then bridge with host-local IPAM, one ADD per container, as container
runtimes call them; Debian's containernetworking-plugins) doing the same work, in the same run, on fresh lab
hosts. Then a no-op rerun, watched by 'ip monitor all-nsid'.

Run as root from the repository: .venv/bin/python bench/endpoints.py [--sizes 10 100 1000] [--python PY]
Goals: at N=1000 the playbook (Ansible's overhead included) takes <= 0.35x the script's time; the no-op
rerun spends <= 1.5 s in the modules and makes no netlink change; module time per endpoint at N=1000 is
<= 1.3x that at N=10. Prints a table; --json FILE also writes the numbers.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from lab import fleet  # noqa: E402  pylint: disable=wrong-import-position

LAB = "bench-endpoints"
PLAYBOOK = """---
- name: Bench - N endpoints on one host
  hosts: h1
  gather_facts: false
  vars_files: [vars.json]
  tasks:
    - name: Bridge
      cnet.linux.bridge:
        name: br0
        addresses: [10.0.0.1/8]
    - name: Namespaces
      cnet.linux.netns:
        namespaces: "{{ bench_netns }}"
    - name: Pairs
      cnet.linux.veth:
        bridge: br0
        pairs: "{{ bench_pairs }}"
"""


def address(i):
    i += 2
    return "10.%d.%d.%d" % (i // 65536, (i // 256) % 256, i % 256)


def script(count):
    """What a competent engineer writes for the same result: the container end without an IPv6 link-local
    address (as the modules make an IPv4-only container), brought up before the host end so the setting is in
    place before the carrier comes; one command per step where ip allows it."""
    lines = ["set -e", "ip link add br0 type bridge", "ip addr add 10.0.0.1/8 dev br0", "ip link set br0 up"]
    for i in range(count):
        ns, dev = "c%d" % i, "v%d" % i
        lines += ["ip netns add %s" % ns, "ip -n %s link set lo up" % ns,
                  "ip link add %s type veth peer name eth0 netns %s" % (dev, ns),
                  "ip -n %s link set eth0 addrgenmode none up" % ns, "ip link set %s master br0 up" % dev,
                  "ip -n %s addr add %s/8 dev eth0" % (ns, address(i)),
                  "ip -n %s route add default via 10.0.0.1" % ns]
    return "\n".join(lines) + "\n"


CNI = "/usr/lib/cni"
CNI_BRIDGE = {"cniVersion": "1.0.0", "name": "bench", "type": "bridge", "bridge": "br0", "isDefaultGateway": True,
              "ipMasq": False, "ipam": {"type": "host-local", "subnet": "10.0.0.0/8", "gateway": "10.0.0.1",
                                        "dataDir": "/run/cnet-bench-ipam"}}  # the lab host's own /run
CNI_LOOPBACK = {"cniVersion": "1.0.0", "name": "lo", "type": "loopback"}


def cni_script(count):
    """The CNI reference plugins as containerd, podman and Kubernetes use them: the runtime makes the namespace,
    then one ADD of loopback and one of bridge (host-local IPAM) per container, each a new plugin process."""
    lines = ["set -e", "export CNI_PATH=%s CNI_COMMAND=ADD" % CNI,
             "lo='%s'" % json.dumps(CNI_LOOPBACK), "br='%s'" % json.dumps(CNI_BRIDGE)]
    for i in range(count):
        lines += ["ip netns add c%d" % i,
                  'echo "$lo" | CNI_CONTAINERID=c%d CNI_NETNS=/run/netns/c%d CNI_IFNAME=lo %s/loopback >/dev/null'
                  % (i, i, CNI),
                  'echo "$br" | CNI_CONTAINERID=c%d CNI_NETNS=/run/netns/c%d CNI_IFNAME=eth0 %s/bridge >/dev/null'
                  % (i, i, CNI)]
    return "\n".join(lines) + "\n"


def fresh(python, count):
    """A new one-host lab, after the kernel has finished tearing down the previous one's namespaces."""
    fleet.down(LAB)
    time.sleep(2 + count * 0.015)
    return fleet.up(LAB, 1, owner=os.getpid(), python=python)


def run_script(workdir, count, make=None):
    path = os.path.join(workdir, "endpoints.sh")
    with open(path, "w") as handle:
        handle.write((make or script)(count))
    start = time.monotonic()
    subprocess.run(fleet.exec_argv(LAB, "h1", ["sh", path]), check=True, capture_output=True)
    return time.monotonic() - start


def run_playbook(workdir, state):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"), ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal")
    argv = [os.path.join(REPO, ".venv", "bin", "ansible-playbook"), "-i", state["inventory"],
            os.path.join(workdir, "play.yml")]
    start = time.monotonic()
    res = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    if res.returncode != 0:
        raise SystemExit("playbook failed:\n%s\n%s" % (res.stdout[-3000:], res.stderr[-3000:]))
    # the minimal callback prints each task's result as 'h1 | CHANGED => {json}'
    results = [json.loads(chunk) for chunk in re.split(r"^h1 \| [A-Z]+ => ", res.stdout, flags=re.M)[1:]]
    return wall, sum(r["timing"]["total"] for r in results), sum(r["netlink_writes"] for r in results), \
        any(r["changed"] for r in results)


def settle(seen, quiet=2.0, limit=120.0):
    """Wait until ip monitor has been quiet for `quiet` seconds."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        last = seen[-1] if seen else start
        if time.monotonic() - last >= quiet:
            return
        time.sleep(0.2)


def measure(python, count):
    with tempfile.TemporaryDirectory(prefix="cnet-bench-") as workdir:
        with open(os.path.join(workdir, "play.yml"), "w") as handle:
            handle.write(PLAYBOOK)
        with open(os.path.join(workdir, "vars.json"), "w") as handle:
            json.dump({"bench_netns": [{"name": "c%d" % i} for i in range(count)],
                       "bench_pairs": [{"netns": "c%d" % i, "addresses": ["%s/8" % address(i)], "gateway": "10.0.0.1"}
                                       for i in range(count)]}, handle)
        fresh(python, count)
        script_s = run_script(workdir, count)
        cni_s = None
        if os.path.exists(os.path.join(CNI, "bridge")):
            fresh(python, count)
            cni_s = run_script(workdir, count, cni_script)
        state = fresh(python, count)
        wall, module_s, writes, _changed = run_playbook(workdir, state)
        # the objects the modules write; the kernel's own neighbour-cache churn (IPv6 multicast entries
        # expiring ~30 s after the links came up) is not a write of ours and is not counted
        monitor = subprocess.Popen(fleet.exec_argv(LAB, "h1", ["ip", "-o", "monitor", "link", "address", "route",
                                                               "all-nsid"]),
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        seen, lines = [], []
        reader = threading.Thread(target=lambda: [(seen.append(time.monotonic()), lines.append(line.strip()))
                                                  for line in monitor.stdout], daemon=True)
        reader.start()
        try:
            settle(seen)  # the kernel's own late events (IPv6 DAD of the new links) are not ours
            start = time.monotonic()
            noop_wall, noop_module_s, noop_writes, noop_changed = run_playbook(workdir, state)
            time.sleep(0.5)
            during = [line for t, line in zip(list(seen), list(lines)) if t >= start]
            noop_events = len(during)
        finally:
            monitor.terminate()
            monitor.wait(timeout=10)
        fleet.down(LAB)
    return {"n": count, "script_s": script_s, "cni_s": cni_s, "cni_ratio": wall / cni_s if cni_s else None,
            "playbook_s": wall, "ratio": wall / script_s, "module_s": module_s,
            "module_ms_per_endpoint": 1000 * module_s / count, "writes": writes, "noop_playbook_s": noop_wall,
            "noop_module_s": noop_module_s, "noop_writes": noop_writes, "noop_changed": noop_changed,
            "noop_monitor_events": noop_events, "noop_event_sample": during[:8]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--python", default="/usr/bin/python3", help="the lab host's Python (its pyroute2 is used)")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows = []
    if not os.path.exists(os.path.join(CNI, "bridge")):
        print("the CNI reference plugins are not installed (apt-get install containernetworking-plugins): not measured")
    print("| N | ip script (s) | CNI plugins (s) | ansible-playbook (s) | vs script | vs CNI | module time (s) "
          "| module ms/endpoint | netlink writes | no-op module time (s) | no-op changed | no-op netlink events |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        for count in args.sizes:
            row = measure(args.python, count)
            rows.append(row)
            cni = dict(row, cni="%.2f" % row["cni_s"] if row["cni_s"] else "-",
                       vs_cni="%.2f" % row["cni_ratio"] if row["cni_ratio"] else "-")
            print("| %(n)d | %(script_s).2f | %(cni)s | %(playbook_s).2f | %(ratio).2f | %(vs_cni)s | %(module_s).2f "
                  "| %(module_ms_per_endpoint).2f | %(writes)d | %(noop_module_s).2f | %(noop_changed)s "
                  "| %(noop_monitor_events)d |" % cni, flush=True)
    finally:
        fleet.down(LAB)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1)
    by_n = dict((row["n"], row) for row in rows)
    if 1000 in by_n:
        big = by_n[1000]
        print("goal ratio <= 0.35 at N=1000: %.2f %s" % (big["ratio"], "met" if big["ratio"] <= 0.35 else "NOT met"))
        if big["cni_ratio"]:
            verdict = "met" if big["cni_ratio"] <= 0.1 else "NOT met"
            print("goal <= 0.1x the CNI plugins at N=1000: %.2f %s" % (big["cni_ratio"], verdict))
        ok = big["noop_module_s"] <= 1.5 and big["noop_monitor_events"] == 0 and not big["noop_changed"]
        print("goal no-op <= 1.5 s, no netlink change: %.2f s, %d events %s"
              % (big["noop_module_s"], big["noop_monitor_events"], "met" if ok else "NOT met"))
        if 10 in by_n:
            scale = big["module_ms_per_endpoint"] / by_n[10]["module_ms_per_endpoint"]
            print("goal per-endpoint N=1000 <= 1.3x N=10: %.2fx %s" % (scale, "met" if scale <= 1.3 else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
