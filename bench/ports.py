"""Benchmark (issue 4): 1000 published ports on one lab host through cnet.linux.iptables_nat, beside one
iptables-restore of the same rules, side by side on the two hosts of one lab, for each backend.

The competitor is the least work that makes the same rules: the CNET-* chains and jumps the module made,
taken from iptables-save after its run and fed to a single 'iptables-restore --noflush' on the other host
(which needs no reading of the current ruleset and no planning), timed around that process alone.
The module's apply time is its engine's time (its iptables-save, its plan, its restore call and the rollback
bookkeeping), timed by the module itself around that work; the whole module process (Python's start and the
import of Ansible's module support, a fixed ~0.2 s that a no-op run shows too) is reported beside it.
Each round also makes a no-op run (it must make no restore call) and a change of one mapping.

Run as root from the repository: .venv/bin/python bench/ports.py [--ports 1000] [--repeat 11] [--python PY]
Goal: the module's apply time <= 1.2x one iptables-restore of the same rules; no-op: zero restore calls.
Beside them (nft backend): the CNI portmap plugin making the same mappings, one ADD per container.
Prints a table (medians of --repeat rounds; the ratio is the median of each round's ratio); --json FILE also
writes the numbers.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from lab import fleet  # noqa: E402  pylint: disable=wrong-import-position
from tests.integration import modrun  # noqa: E402  pylint: disable=wrong-import-position

LAB = "bench-ports"
PER_CONTAINER = 10


def network(ports, backend, first=20000):
    """One bridge network; ports/PER_CONTAINER containers publishing PER_CONTAINER ports each."""
    publish = []
    for c in range(ports // PER_CONTAINER):
        host_ports = range(first + c * PER_CONTAINER, first + (c + 1) * PER_CONTAINER)
        publish.append({"address": "172.17.%d.%d" % (c // 250, 2 + c % 250),
                        "ports": ["%d:%d" % (p, 8000 + i) for i, p in enumerate(host_ports)]})
    return {"bridge": "cnet0", "subnet": "172.17.0.0/16", "publish": publish, "backend": backend}


def timed_restore(host, backend, path):
    """Seconds one iptables-restore process takes, timed inside the lab host around the process alone (as the
    module times its own work), from a Python that spawns it the way the module does."""
    code = ("import subprocess, sys, time; data = open(sys.argv[2], 'rb').read(); start = time.monotonic(); "
            "subprocess.run([sys.argv[1], '--noflush'], input=data, check=True); print(time.monotonic() - start)")
    return float(host.sh("%s -c \"%s\" iptables-%s-restore %s" % (host.python, code, backend, path)).stdout)


def module(host, args):
    start = time.monotonic()
    result = host.run("iptables_nat", args, diff=False)
    return time.monotonic() - start, result


def owned_rules(host, backend):
    """The module's chains and jumps as one restore file (chain declarations, then rules), tables by name
    (iptables-legacy-save lists them in the order the kernel made them)."""
    blocks, decl, rules = {}, [], []
    for line in host.sh("iptables-%s-save" % backend).stdout.splitlines():
        if line.startswith("*"):
            table, decl, rules = line, [], []
        elif line == "COMMIT":
            if decl or rules:
                blocks[table] = [table] + decl + rules + ["COMMIT"]
        elif line.startswith(":CNET-"):
            decl.append(line.split(" ")[0] + " - [0:0]")
        elif line.startswith("-A ") and "CNET-" in line:
            rules.append(line)
    return "".join("\n".join(lines) + "\n" for _table, lines in sorted(blocks.items()))


def one_round(h1, h2, backend, args, path, first):
    """The module on h1 and the restore on h2, both from no rules, `first` going first."""
    row = {}
    for step in (first, "restore" if first == "module" else "module"):
        if step == "module":
            row["apply_s"], result = module(h1, args)
            assert result["changed"] and result["restore_calls"] == 1, result.get("restore_calls")
        else:
            row["restore_s"] = timed_restore(h2, backend, path)
    row.update(engine_s=result["timing"]["total"], observe_s=result["timing"]["observe"],
               plan_s=result["timing"]["plan"], engine_apply_s=result["timing"]["apply"],
               same_rules=owned_rules(h2, backend) == owned_rules(h1, backend))
    row["noop_s"], noop = module(h1, args)
    row.update(noop_restore_calls=noop["restore_calls"], noop_changed=noop["changed"])
    moved = dict(args, publish=[dict(args["publish"][0], ports=["20000:9999"] + args["publish"][0]["ports"][1:])]
                 + args["publish"][1:])
    row["change_s"], change = module(h1, moved)
    row["change_restore_calls"] = change["restore_calls"]
    for host in (h1, h2):  # untimed: the module owns the same chains on both hosts
        host.run("iptables_nat", {"networks": [], "purge": True, "backend": backend})
    return row


PORTMAP = "/usr/lib/cni/portmap"


def portmap_script(ports):
    """The CNI portmap plugin as a runtime chains it: one ADD per container with its port mappings (the
    container's address from the previous plugin's result), each a new plugin process."""
    lines = ["set -e", "export CNI_PATH=/usr/lib/cni CNI_COMMAND=ADD CNI_IFNAME=eth0"]
    for c, item in enumerate(network(ports, "nft")["publish"]):
        maps = [{"hostPort": int(m.split(":")[0]), "containerPort": int(m.split(":")[1]), "protocol": "tcp"}
                for m in item["ports"]]
        conf = {"cniVersion": "1.0.0", "name": "bench", "type": "portmap", "capabilities": {"portMappings": True},
                "runtimeConfig": {"portMappings": maps},
                "prevResult": {"cniVersion": "1.0.0", "interfaces": [{"name": "eth0", "sandbox": "/run/netns/p%d" % c}],
                               "ips": [{"address": item["address"] + "/16", "interface": 0}]}}
        lines += ["ip netns add p%d" % c]
        lines += ["echo '%s' | CNI_CONTAINERID=p%d CNI_NETNS=/run/netns/p%d %s >/dev/null"
                  % (json.dumps(conf), c, c, PORTMAP)]
    return lines


def portmap_time(host, ports):
    """Seconds the portmap ADDs take for the same published ports (the namespaces made first, untimed), and
    the DNAT rules they made. Debian 12's plugins write with the system's iptables (here the nft backend)."""
    lines = portmap_script(ports)
    setup = "\n".join([ln for ln in lines if ln.startswith("ip netns add")])
    host.sh(setup, timeout=300)
    adds = "\n".join([ln for ln in lines if not ln.startswith("ip netns add")])
    code = ("import subprocess, sys, time; start = time.monotonic(); "
            "subprocess.run(['sh', '-c', sys.stdin.read()], check=True); print(time.monotonic() - start)")
    took = float(host.sh("%s -c \"%s\" <<'EOF'\n%s\nEOF" % (host.python, code, adds), timeout=600).stdout)
    rules = sum(1 for ln in host.sh("iptables-save -t nat").stdout.splitlines() if ln.startswith("-A CNI-DN-"))
    return took, rules


def measure(python, ports, backend, repeat):
    """repeat rounds on one two-host lab, in turns which goes first; (rows, rule count)."""
    state = fleet.up(LAB, 2, owner=os.getpid(), python=python)
    try:
        h1, h2 = (modrun.Host(state, name, python) for name in ("h1", "h2"))
        for host in (h1, h2):
            host.run("bridge", {"name": "cnet0", "addresses": ["172.17.0.1/16"]})
        args = network(ports, backend)
        # the rules, once: what the module makes (then taken down again)
        h1.run("iptables_nat", args)
        rules = owned_rules(h1, backend)
        h1.run("iptables_nat", {"networks": [], "purge": True, "backend": backend})
        with tempfile.NamedTemporaryFile("w", prefix="cnet-bench-rules-", delete=False) as handle:
            handle.write(rules)  # the lab hosts are namespaces of this machine: they see its files
        try:
            rows = [one_round(h1, h2, backend, args, handle.name, "module" if i % 2 == 0 else "restore")
                    for i in range(repeat)]
        finally:
            os.unlink(handle.name)
        portmap = portmap_time(h2, ports) if backend == "nft" and os.path.exists(PORTMAP) else (None, None)
        return rows, sum(1 for line in rules.splitlines() if line.startswith("-A ")), portmap
    finally:
        fleet.down(LAB)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ports", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--backends", nargs="+", default=["nft", "legacy"])
    parser.add_argument("--python", default="/usr/bin/python3", help="the lab host's Python (its pyroute2 is used)")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows, ok = [], True
    print("| backend | ports | rules | one iptables-restore (s) | module apply (s) | ratio | observe / plan / apply (ms) "
          "| module process (s) | no-op process (s) | no-op restore calls | one mapping changed: process (s) "
          "| its restore calls | CNI portmap (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        for backend in args.backends:
            runs, count, (portmap_s, portmap_rules) = measure(args.python, args.ports, backend, args.repeat)
            row = dict((key, statistics.median(r[key] for r in runs)) for key in
                       ("apply_s", "engine_s", "restore_s", "noop_s", "change_s", "observe_s", "plan_s",
                        "engine_apply_s"))
            row.update({"backend": backend, "ports": args.ports, "rules": count,
                        "ratio": statistics.median(r["engine_s"] / r["restore_s"] for r in runs),
                        "noop_restore_calls": max(r["noop_restore_calls"] for r in runs),
                        "change_restore_calls": max(r["change_restore_calls"] for r in runs),
                        "same_rules": all(r["same_rules"] for r in runs), "runs": runs,
                        "portmap_s": portmap_s, "portmap_dnat_rules": portmap_rules})
            rows.append(row)
            ms = dict((key, 1000 * row[key]) for key in ("observe_s", "plan_s", "engine_apply_s"))
            print("| %(backend)s | %(ports)d | %(rules)d | %(restore_s).4f | %(engine_s).4f | %(ratio).2f " % row
                  + "| %(observe_s).1f / %(plan_s).1f / %(engine_apply_s).1f " % ms
                  + "| %(apply_s).3f | %(noop_s).3f | %(noop_restore_calls)d | %(change_s).3f | %(change_restore_calls)d " % row
                  + "| %s |" % ("%.2f" % portmap_s if portmap_s is not None else "-"), flush=True)
            ok = ok and row["same_rules"] and row["ratio"] <= 1.2 and row["noop_restore_calls"] == 0
    finally:
        fleet.down(LAB)
    for row in rows:
        print("%s: apply <= 1.2x one restore: %.2fx %s; no-op restore calls: %d %s; same rules on both hosts: %s" % (
            row["backend"], row["ratio"], "met" if row["ratio"] <= 1.2 else "NOT met", row["noop_restore_calls"],
            "met" if row["noop_restore_calls"] == 0 else "NOT met", row["same_rules"]))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
