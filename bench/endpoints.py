"""Benchmark (issue 3; issue 18 adds the CNI plugins): converge N container endpoints on one lab host - a
namespace, a veth pair with the peer inside it, the host end a bridge port, an address and a default route -
through one cnet.linux.converge call (the bridge, netns and veth parts, list forms) in ansible-playbook, beside a hand-written shell script of ip commands and
the CNI reference plugins (loopback, then bridge with host-local IPAM, one ADD per container, as container
runtimes call them; Debian's containernetworking-plugins) doing the same work, in the same run, on fresh lab
hosts. Then a no-op rerun, watched by 'ip monitor all-nsid'.

Also in the same run: the same work as one 'ip -batch' per namespace, and a naive playbook looping
ansible.builtin.command over the script's ip commands (N <= 100, in the first run of each size only).

Run as root from the repository: .venv/bin/python bench/endpoints.py [--sizes 10 100 1000] [--repeat 5] [--python PY]
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
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402  pylint: disable=wrong-import-position
from lab import fleet  # noqa: E402  pylint: disable=wrong-import-position

LAB = "bench-endpoints"
PLAYBOOK = """---
- name: Bench - N endpoints on one host
  hosts: h1
  gather_facts: false
  vars_files: [vars.json]
  tasks:
    - name: The bridge, the namespaces and the pairs in one call
      cnet.linux.converge:
        bridge:
          name: br0
          addresses: [10.0.0.1/8]
        netns:
          namespaces: "{{ bench_netns }}"
        veth:
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


def batch_script(count):
    """The same work in one 'ip -batch' for the host's side, then one 'ip -n <ns> -batch' per namespace (what
    iproute2 allows: a batch runs in one namespace): 1 + N processes instead of 7N."""
    host = ["link add br0 type bridge", "addr add 10.0.0.1/8 dev br0", "link set br0 up"]
    for i in range(count):
        host += ["netns add c%d" % i, "link add v%d type veth peer name eth0 netns c%d" % (i, i)]
    lines = ["set -e", "ip -batch - <<'EOF'"] + host + ["EOF"]
    for i in range(count):
        lines += ["ip -n c%d -batch - <<'EOF'" % i, "link set lo up", "link set eth0 addrgenmode none up",
                  "addr add %s/8 dev eth0" % address(i), "route add default via 10.0.0.1", "EOF"]
    lines += ["ip -batch - <<'EOF'"] + ["link set v%d master br0 up" % i for i in range(count)] + ["EOF"]
    return "\n".join(lines) + "\n"


NAIVE = """---
- name: Bench - N endpoints, one ip command per loop item
  hosts: h1
  gather_facts: false
  vars_files: [naive.json]
  tasks:
    - name: Every ip command of the script
      ansible.builtin.command: "{{ item }}"
      loop: "{{ bench_commands }}"
      changed_when: true
"""


def naive_commands(count):
    """The script's ip commands, one loop item each (what a playbook without the collection does)."""
    return [line for line in script(count).splitlines() if line.startswith("ip ")]


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


def run_playbook(workdir, state, play="play.yml"):
    env = common.ansible_env(ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal")
    argv = [os.path.join(REPO, ".venv", "bin", "ansible-playbook"), "-i", state["inventory"],
            os.path.join(workdir, play)]
    start = time.monotonic()
    res = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    if res.returncode != 0:
        raise SystemExit("playbook failed:\n%s\n%s" % (res.stdout[-3000:], res.stderr[-3000:]))
    # the minimal callback prints each task's result as 'h1 | CHANGED => {json}'
    results = [json.loads(chunk) for chunk in re.split(r"^h1 \| [A-Z]+ => ", res.stdout, flags=re.M)[1:]]
    if play != "play.yml":
        return wall, None, None, True
    return wall, sum(r["timing"]["total"] for r in results), sum(r["netlink_writes"] for r in results), \
        any(r["changed"] for r in results)


def fabric_nsid():
    """The lab host's id for the fabric's namespace (its eth0's other end), as ip monitor all-nsid prints it."""
    out = subprocess.run(fleet.exec_argv(LAB, "h1", ["ip", "-j", "-d", "link", "show", "eth0"]), capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)[0].get("link_netnsid")


def settle(seen, quiet=2.0, limit=120.0):
    """Wait until ip monitor has been quiet for `quiet` seconds."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        last = seen[-1] if seen else start
        if time.monotonic() - last >= quiet:
            return
        time.sleep(0.2)


def measure(python, count, naive_limit=100):
    with tempfile.TemporaryDirectory(prefix="cnet-bench-") as workdir:
        with open(os.path.join(workdir, "play.yml"), "w") as handle:
            handle.write(PLAYBOOK)
        with open(os.path.join(workdir, "naive.yml"), "w") as handle:
            handle.write(NAIVE)
        with open(os.path.join(workdir, "naive.json"), "w") as handle:
            json.dump({"bench_commands": naive_commands(count)}, handle)
        with open(os.path.join(workdir, "vars.json"), "w") as handle:
            json.dump({"bench_netns": [{"name": "c%d" % i} for i in range(count)],
                       "bench_pairs": [{"netns": "c%d" % i, "addresses": ["%s/8" % address(i)], "gateway": "10.0.0.1"}
                                       for i in range(count)]}, handle)
        fresh(python, count)
        script_s = run_script(workdir, count)
        fresh(python, count)
        batch_s = run_script(workdir, count, batch_script)
        cni_s = naive_s = None
        if os.path.exists(os.path.join(CNI, "bridge")):
            fresh(python, count)
            cni_s = run_script(workdir, count, cni_script)
        if count <= naive_limit:
            naive_s = run_playbook(workdir, fresh(python, count), "naive.yml")[0]
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
            # the lab's fabric (the namespace at the other end of the host's eth0) is not the host's: its bridge
            # port's events are not writes of the modules
            fabric = "[nsid %s]" % fabric_nsid()
            noop_fabric = len([line for line in during if line.startswith(fabric)])
            during = [line for line in during if not line.startswith(fabric)]
            noop_events = len(during)
        finally:
            monitor.terminate()
            monitor.wait(timeout=10)
        fleet.down(LAB)
    return {"n": count, "script_s": script_s, "batch_s": batch_s, "naive_s": naive_s,
            "naive_ratio": naive_s / wall if naive_s else None, "batch_ratio": wall / batch_s,
            "cni_s": cni_s, "cni_ratio": wall / cni_s if cni_s else None,
            "playbook_s": wall, "ratio": wall / script_s, "module_s": module_s,
            "module_ms_per_endpoint": 1000 * module_s / count, "writes": writes, "noop_playbook_s": noop_wall,
            "noop_module_s": noop_module_s, "noop_writes": noop_writes, "noop_changed": noop_changed,
            "noop_monitor_events": noop_events, "noop_event_sample": during[:8], "noop_fabric_events": noop_fabric}


KEYS = ("script_s", "batch_s", "naive_s", "cni_s", "playbook_s", "module_s", "noop_playbook_s", "noop_module_s")


def median_row(runs):
    """Medians of the times and of each run's ratios (a ratio is measured within one run); counts: the largest."""
    row = dict((key, common.median(r[key] for r in runs)) for key in KEYS)
    for key in ("ratio", "batch_ratio", "cni_ratio", "naive_ratio"):
        row[key] = common.median(r[key] for r in runs)
    row.update(n=runs[0]["n"], writes=max(r["writes"] for r in runs),
               noop_monitor_events=max(r["noop_monitor_events"] for r in runs),
               noop_fabric_events=max(r.get("noop_fabric_events", 0) for r in runs),
               noop_changed=any(r["noop_changed"] for r in runs), runs=runs)
    row["module_ms_per_endpoint"] = 1000 * row["module_s"] / row["n"]
    return row


def cell(value, fmt="%.2f"):
    return "-" if value is None else fmt % value


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=5, help="runs per size; the table shows medians")
    parser.add_argument("--naive-limit", type=int, default=100, help="the naive loop runs up to this N")
    parser.add_argument("--python", default="/usr/bin/python3", help="the lab host's Python (its pyroute2 is used)")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows = []
    if not os.path.exists(os.path.join(CNI, "bridge")):
        print("the CNI reference plugins are not installed (apt-get install containernetworking-plugins): not measured")
    print("| N | ip script (s) | ip -batch (s) | CNI plugins (s) | naive loop (s) | ansible-playbook (s) | vs script "
          "| vs ip -batch | vs CNI | naive loop / playbook | module time (s) | module ms/endpoint | netlink writes "
          "| no-op module time (s) | no-op changed | no-op netlink events |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        for count in args.sizes:
            # the naive loop in the first run only (at N = 100, 700 loop items take minutes)
            row = median_row([measure(args.python, count, args.naive_limit if i == 0 else 0)
                              for i in range(args.repeat)])
            rows.append(row)
            print("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s | %d |" % (
                count, cell(row["script_s"]), cell(row["batch_s"]), cell(row["cni_s"]), cell(row["naive_s"]),
                cell(row["playbook_s"]), cell(row["ratio"]), cell(row["batch_ratio"]), cell(row["cni_ratio"]),
                cell(row["naive_ratio"], "%.0f"), cell(row["module_s"]), cell(row["module_ms_per_endpoint"]),
                row["writes"], cell(row["noop_module_s"]), row["noop_changed"], row["noop_monitor_events"]),
                flush=True)
    finally:
        fleet.down(LAB)
    common.write_json(args.json, rows)
    for line in goals(rows):
        print(line)
    return 0


def goals(rows):
    by_n, out = dict((row["n"], row) for row in rows), []
    big = by_n.get(max(by_n))
    met = "met" if big["ratio"] <= 0.35 else "NOT met"
    out.append("goal <= 0.35x the script at N=%d: %.2f %s" % (big["n"], big["ratio"], met))
    if big["cni_ratio"]:
        out.append("goal <= 0.1x the CNI plugins at N=%d: %.2f %s" % (big["n"], big["cni_ratio"], "met"
                                                                      if big["cni_ratio"] <= 0.1 else "NOT met"))
    naive = [row for row in rows if row["naive_ratio"]]
    if naive:
        row = naive[-1]
        out.append("goal >= 50x faster than the naive loop at N=%d: %.0fx %s" % (
            row["n"], row["naive_ratio"], "met" if row["naive_ratio"] >= 50 else "NOT met"))
    ok = big["noop_module_s"] <= 1.5 and big["noop_monitor_events"] == 0 and not big["noop_changed"]
    out.append("goal no-op <= 1.5 s, no netlink change at N=%d: %.2f s, %d events %s"
               % (big["n"], big["noop_module_s"], big["noop_monitor_events"], "met" if ok else "NOT met"))
    small = by_n.get(min(by_n))
    if small is not big:
        scale = big["module_ms_per_endpoint"] / small["module_ms_per_endpoint"]
        out.append("goal per-endpoint N=%d <= 1.3x N=%d: %.2fx %s" % (big["n"], small["n"], scale,
                                                                      "met" if scale <= 1.3 else "NOT met"))
    return out


if __name__ == "__main__":
    sys.exit(main())
