"""Benchmark (issue 18, part 2): one host with many overlay peers. cnet.linux.vxlan_overlay on one lab host,
an l3 overlay (flannel-like) whose peer list has --peers hosts (underlay addresses in 198.18.0.0/15, each with a
/24 lease): its first converge (the VXLAN device, a route, a neighbour and an FDB entry and a firewall rule per
peer), its no-op rerun, and one peer added. Module time is the engine's own (timing.total).

Run as root from the repository: .venv/bin/python bench/peers.py [--peers 1000] [--repeat 5] [--python PY]
Goals: 1000 peers converge in <= 2 s of module time; the no-op takes <= 0.5 s.
"""

import argparse
import ipaddress
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402  pylint: disable=wrong-import-position
from lab import fleet  # noqa: E402  pylint: disable=wrong-import-position
from tests.integration import modrun  # noqa: E402  pylint: disable=wrong-import-position

LAB = "bench-peers"


def args_for(count, own):
    peers = [{"address": str(ipaddress.IPv4Address("198.18.0.10") + k), "lease": "10.%d.%d.0/24" % (k // 256, k % 256)}
             for k in range(1, count + 1)]
    return {"name": "backend", "vni": 4096, "lease": "10.0.0.0/24", "local": own,
            "peers": [{"address": own, "lease": "10.0.0.0/24"}] + peers}


def one_round(host, count, own):
    args = args_for(count, own)
    start = time.monotonic()
    first = host.run("vxlan_overlay", args, diff=False)
    first_wall = time.monotonic() - start
    start = time.monotonic()
    noop = host.run("vxlan_overlay", args, diff=False)
    noop_wall = time.monotonic() - start
    grown = dict(args, peers=args["peers"] + [{"address": "198.19.255.1", "lease": "10.255.255.0/24"}])
    added = host.run("vxlan_overlay", grown, diff=False)
    host.run("vxlan_overlay", {"device": "vx4096", "vni": 4096, "state": "absent"})
    return {"converge_s": first["timing"]["total"], "converge_process_s": first_wall,
            "converge_writes": first["netlink_writes"], "noop_s": noop["timing"]["total"],
            "noop_process_s": noop_wall, "noop_changed": noop["changed"], "noop_writes": noop["netlink_writes"],
            "add_one_s": added["timing"]["total"], "add_one_actions": len(added["actions"])}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--python", default="/usr/bin/python3", help="the lab host's Python (its pyroute2 is used)")
    parser.add_argument("--json", help="also write the row to this file")
    args = parser.parse_args()
    state = fleet.up(LAB, 1, owner=os.getpid(), python=args.python)
    try:
        host = modrun.Host(state, "h1", args.python)
        host.sh("sysctl -qw net.ipv4.ip_forward=1")
        host.run("bridge", {"name": "cnet1", "addresses": ["10.0.0.1/24"]})
        runs = [one_round(host, args.peers, state["hosts"][0]["address"]) for _round in range(args.repeat)]
    finally:
        fleet.down(LAB)
    row = dict((key, common.median(r[key] for r in runs)) for key in
               ("converge_s", "converge_process_s", "noop_s", "noop_process_s", "add_one_s"))
    row.update(peers=args.peers, converge_writes=max(r["converge_writes"] for r in runs),
               noop_writes=max(r["noop_writes"] for r in runs), noop_changed=any(r["noop_changed"] for r in runs),
               add_one_actions=max(r["add_one_actions"] for r in runs), runs=runs)
    print("| peers | converge: module (s) | its process (s) | netlink writes | no-op: module (s) | its process (s) "
          "| no-op writes | one peer added: module (s) | its actions |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("| %(peers)d | %(converge_s).2f | %(converge_process_s).2f | %(converge_writes)d | %(noop_s).2f "
          "| %(noop_process_s).2f | %(noop_writes)d | %(add_one_s).2f | %(add_one_actions)d |" % row)
    print("goal converge <= 2 s of module time: %.2f s %s" % (row["converge_s"], "met" if row["converge_s"] <= 2
                                                              else "NOT met"))
    print("goal no-op <= 0.5 s: %.2f s %s" % (row["noop_s"], "met" if row["noop_s"] <= 0.5 and not row["noop_changed"]
                                              else "NOT met"))
    common.write_json(args.json, row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
