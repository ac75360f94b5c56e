"""Benchmark (issue 18, part 2): fleet scale. Lab hosts (2, 4, 8, 16, 32), each with 10 containers: 4 on a
bridge network publishing a port each, 3 on an l3 overlay, 3 on an l2 overlay (full meshes). Per size, in the
same run: site.yml's first converge; then --repeat rounds of an 'ansible -m ping' round of the same hosts, a
no-op site.yml and drift.yml. The no-op is reported in ping rounds (its time over the ping round's). And the
fleet plan's cost on the controller for the same inventory: once per run (build_all, as the roles call it) and
once per host (build for every host, as they did before).

Run as root from the repository: .venv/bin/python bench/fleet.py [--sizes 2 4 8 16 32] [--repeat 5] [--json F]
Goal: a no-op site.yml <= 4 ping rounds at every size.
"""

import argparse
import ipaddress
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402  pylint: disable=wrong-import-position
from lab import fleet  # noqa: E402  pylint: disable=wrong-import-position

LAB = "bench-fleet"
NETWORKS = [{"name": "bridge", "driver": "bridge", "bridge": "cnet0", "subnet": "172.17.0.0/16"},
            {"name": "backend", "driver": "overlay", "mode": "l3", "vni": 4096, "subnet": "10.244.0.0/16"},
            {"name": "swarm", "driver": "overlay", "mode": "l2", "vni": 4097, "subnet": "10.245.0.0/20"}]


def containers():
    return ([{"name": "web%d" % i, "network": "bridge", "publish": ["%d:80" % (8080 + i)]} for i in range(4)]
            + [{"name": "l3c%d" % i, "network": "backend"} for i in range(3)]
            + [{"name": "l2c%d" % i, "network": "swarm"} for i in range(3)])


def write_inventory(workdir, hosts):
    for sub in ("group_vars", "host_vars"):
        os.makedirs(os.path.join(workdir, sub), exist_ok=True)
    with open(os.path.join(workdir, "hosts.ini"), "w") as handle:
        handle.write("# variables only; the hosts are the lab's\n")
    with open(os.path.join(workdir, "group_vars", "all.yml"), "w") as handle:
        json.dump({"cnet_networks": NETWORKS}, handle)
    for host in hosts:
        with open(os.path.join(workdir, "host_vars", host + ".yml"), "w") as handle:
            json.dump({"cnet_containers": containers()}, handle)
    return os.path.join(workdir, "hosts.ini")


def plan_cost(hosts, per_host=True):
    """Seconds the controller spends on the fleet plan for this inventory: once per run, and once per host
    (None when not measured)."""
    sys.path.insert(0, os.path.join(common.REPO, ".collections"))
    from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import plan  # pylint: disable=import-outside-toplevel
    view = dict((h, {"containers": containers(), "underlay": str(ipaddress.IPv4Address("10.0.0.1") + i),
                     "underlay_mtu": 1500}) for i, h in enumerate(hosts))
    start = time.monotonic()
    plan.build_all(NETWORKS, view, hosts)
    once = time.monotonic() - start
    if not per_host:
        return once, None
    start = time.monotonic()
    for h in hosts:
        plan.build(NETWORKS, view, h)
    return once, time.monotonic() - start


def neighbour_room(size):
    """Why this machine cannot hold a lab of this size, or None. Every lab host is a namespace of one kernel, and
    a kernel's ARP table is one for all its namespaces, capped by the root namespace's gc_thresh3 (which a
    benchmark must not raise): a full mesh needs about 2 h (h - 1) dynamic entries - each host's for its peers'
    underlay addresses, and each probing l2 container's for one endpoint per peer. On a real fleet each host
    has its own table."""
    try:
        with open("/proc/sys/net/ipv4/neigh/default/gc_thresh3") as handle:
            limit = int(handle.read())
    except (OSError, ValueError):
        return None
    need = 2 * size * (size - 1)
    if need <= 0.8 * limit:
        return None
    return ("%d lab hosts need about %d ARP entries in this one kernel's table, which all its namespaces share and "
            "its root namespace caps at %d (gc_thresh3; the lab must not raise it): not measured here" % (size, need, limit))


def mitogen_env():
    """Mitogen's strategy for the repository's Ansible, or None when the package is not installed."""
    try:
        import ansible_mitogen  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    strategy = os.path.join(os.path.dirname(ansible_mitogen.__file__), "plugins", "strategy")
    return common.ansible_env(ANSIBLE_STRATEGY_PLUGINS=strategy, ANSIBLE_STRATEGY="mitogen_linear")


def mitogen_noop(inv, forks, repeat):
    """The no-op site.yml under Mitogen's strategy: {'noop_s': median} or {'error': what it said}."""
    env, times = mitogen_env(), []
    if env is None:
        return {"error": "mitogen is not installed (.venv/bin/pip install mitogen)"}
    for _round in range(repeat):
        took, res = common.playbook("site.yml", inv, *forks, env=env, check=False)
        changed = sum(r.get("changed", 0) for r in common.recap(res.stdout).values())
        if res.returncode != 0 or changed:
            said = [ln for ln in (res.stdout + res.stderr).splitlines() if "ERROR" in ln or "FAILED" in ln or "fatal" in ln]
            return {"error": (said or (res.stdout + res.stderr).splitlines()[-3:] or ["exit %d" % res.returncode])[0][:300]}
        times.append(took)
    return {"noop_s": common.median(times), "runs": times}


def measure(size, repeat, with_mitogen=False):
    state = fleet.up(LAB, size, owner=os.getpid())
    hosts = [h["name"] for h in state["hosts"]]
    forks = ["-f", str(max(size, 5))]
    try:
        with tempfile.TemporaryDirectory(prefix="cnet-bench-fleet-") as workdir:
            inv = [state["inventory"], write_inventory(workdir, hosts)]
            converge, res = common.playbook("site.yml", inv, *forks)
            pings, noops, drifts = [], [], []
            profile = os.path.join(workdir, "noop-tasks.json")
            for _round in range(repeat):
                took, _res = common.timed([os.path.join(common.VENV_BIN, "ansible"), "-i", state["inventory"], "all",
                                           "-m", "ansible.builtin.ping", "-o"] + forks)
                pings.append(took)
                took, res = common.playbook("site.yml", inv, *forks, env=common.profile_env(profile))
                changed = sum(r.get("changed", 0) for r in common.recap(res.stdout).values())
                if changed:
                    tail = res.stdout[-4000:]
                    raise SystemExit("the no-op site.yml changed %d things at %d hosts:\n%s" % (changed, size, tail))
                noops.append(took)
                took, res = common.playbook("drift.yml", inv, "-e", "cnet_drift_fail=true", *forks)
                drifts.append(took)
            with open(profile) as handle:
                tasks = json.load(handle)
            mitogen = mitogen_noop(inv, forks, repeat) if with_mitogen else None
    finally:
        fleet.down(LAB)
    once, per_host = plan_cost(hosts)
    ping, noop = common.median(pings), common.median(noops)
    return {"hosts": size, "containers": 10 * size, "converge_s": converge, "noop_s": noop, "drift_s": common.median(drifts),
            "ping_s": ping, "noop_ping_rounds": noop / ping, "plan_once_s": once, "plan_per_host_s": per_host,
            "runs": {"ping_s": pings, "noop_s": noops, "drift_s": drifts},
            "noop_tasks": sorted(tasks, key=lambda t: -t["seconds"]), "mitogen": mitogen}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 8, 16, 32])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mitogen", action="store_true", help="also the no-op under Mitogen's strategy")
    parser.add_argument("--plan-sizes", type=int, nargs="*", default=[32, 128, 256],
                        help="fleet sizes whose plan alone is timed on the controller (no lab; the l3 overlay has 256 leases)")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows = []
    print("| hosts | containers | first converge (s) | no-op site.yml (s) | drift.yml (s) | ping round (s) "
          "| no-op in ping rounds | plan once per run (s) | plan once per host (s) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    skipped = []
    try:
        for size in args.sizes:
            why = neighbour_room(size)
            if why:
                skipped.append({"hosts": size, "reason": why})
                print("| %d | skipped: %s |" % (size, why), flush=True)
                continue
            row = measure(size, args.repeat, args.mitogen)
            rows.append(row)
            common.write_json(args.json, {"sizes": rows, "plans": [], "skipped": skipped})  # each size when measured
            print("| %(hosts)d | %(containers)d | %(converge_s).1f | %(noop_s).1f | %(drift_s).1f | %(ping_s).2f "
                  "| %(noop_ping_rounds).1f | %(plan_once_s).3f | %(plan_per_host_s).3f |" % row, flush=True)
            if row["mitogen"]:
                print("  mitogen: %s" % (row["mitogen"].get("error") or "no-op %.1f s" % row["mitogen"]["noop_s"]))
    finally:
        fleet.down(LAB)
    plans = []
    for size in args.plan_sizes:
        names = ["h%d" % (i + 1) for i in range(size)]
        once, per_host = plan_cost(names, per_host=size <= 256)
        plans.append({"hosts": size, "plan_once_s": once, "plan_per_host_s": per_host})
        print("plan alone, %d hosts: once per run %.2f s, once per host %s" % (
            size, once, "%.1f s" % per_host if per_host is not None else "not measured (hours)"), flush=True)
    common.write_json(args.json, {"sizes": rows, "plans": plans, "skipped": skipped})
    worst = max(row["noop_ping_rounds"] for row in rows)
    print("goal no-op <= 4 ping rounds at every size: worst %.1f %s" % (worst, "met" if worst <= 4 else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
