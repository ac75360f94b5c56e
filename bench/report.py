"""docs/benchmarks.md and its plots from bench/suite.py's results: the machine, then each benchmark's medians,
ratios measured in the same run, and each goal met or not."""

import datetime
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import common  # noqa: E402  pylint: disable=wrong-import-position


def _out(argv):
    try:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
        return (res.stdout or res.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not found"


VERSIONS = ("import sys; from importlib.metadata import version; "
            "print('Python %d.%d, pyroute2 %s' % (sys.version_info[:2] + (version('pyroute2'),)))")


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        mem = int(handle.readline().split()[1]) // (1024 * 1024)
    release = "unknown"
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as handle:
            release = dict(line.rstrip("\n").split("=", 1) for line in handle if "=" in line).get(
                "PRETTY_NAME", "").strip('"')
    import ansible  # pylint: disable=import-outside-toplevel
    return [("CPU", "%s, %d cores" % (model, os.cpu_count())), ("memory", "%d GiB" % mem),
            ("system", "%s, kernel %s" % (release, platform.release())),
            ("controller", "Python %s, ansible-core %s" % (platform.python_version(), ansible.__version__)),
            ("managed hosts' Python", _out(["/usr/bin/python3", "-c", VERSIONS])),
            ("iproute2", _out(["ip", "-V"])), ("iptables", _out(["iptables", "-V"])),
            ("CNI plugins", _out(["dpkg-query", "-W", "-f", "${Version}", "containernetworking-plugins"])),
            ("iperf3", _out(["iperf3", "--version"]))]


def cell(value, fmt="%.2f"):
    return "-" if value is None else fmt % value


def table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(head))) + "|"]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def verdict(text, value, ok, fmt="%.2f"):
    return "- %s: **%s** - %s" % (text, fmt % value if value is not None else "-", "met" if ok else "NOT met")


def _pyplot():
    """matplotlib's pyplot drawing to files (no screen); imported only when a report is written."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    from matplotlib import pyplot  # pylint: disable=import-outside-toplevel
    return pyplot


def _save(pyplot, fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    pyplot.close(fig)


def plot_endpoints(rows, path):
    pyplot = _pyplot()
    fig, ax = pyplot.subplots(figsize=(7, 4.5))
    for key, label in (("playbook_s", "cnet.linux playbook"), ("module_s", "cnet.linux modules alone"),
                       ("script_s", "ip script"), ("batch_s", "ip -batch"), ("cni_s", "CNI plugins"),
                       ("naive_s", "naive command loop")):
        points = [(r["n"], r[key]) for r in rows if r.get(key)]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("container endpoints on one host")
    ax.set_ylabel("seconds (median)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    _save(pyplot, fig, path)


def plot_fleet(rows, path):
    pyplot = _pyplot()
    fig, ax = pyplot.subplots(figsize=(7, 4.5))
    hosts = [r["hosts"] for r in rows]
    for key, label in (("noop_s", "no-op site.yml"), ("drift_s", "drift.yml"), ("ping_s", "ansible -m ping round")):
        ax.plot(hosts, [r[key] for r in rows], marker="o", label=label)
    mitogen = [(r["hosts"], (r.get("mitogen") or {}).get("noop_s")) for r in rows]
    if any(v for _h, v in mitogen):
        ax.plot([h for h, v in mitogen if v], [v for _h, v in mitogen if v], marker="o", label="no-op, Mitogen")
    ax.plot(hosts, [4 * r["ping_s"] for r in rows], linestyle="--", color="grey", label="goal: 4 ping rounds")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("lab hosts (10 containers each)")
    ax.grid(True, alpha=0.3)
    ax.set_ylabel("seconds (median)")
    ax.legend()
    _save(pyplot, fig, path)


def plot_dataplane(data, path):
    pyplot = _pyplot()
    rows = data["paths"] + data["variants"]
    names = [r["path"].replace(" (", "\n(") for r in rows]
    fig, (left, right) = pyplot.subplots(1, 2, figsize=(12, 5))
    y = list(range(len(rows)))
    left.barh([i + 0.2 for i in y], [r["one_gbit"] for r in rows], height=0.4, label="1 TCP stream")
    left.barh([i - 0.2 for i in y], [r["eight_gbit"] for r in rows], height=0.4, label="8 TCP streams")
    left.set_yticks(y)
    left.set_yticklabels(names, fontsize=7)
    left.invert_yaxis()
    left.set_xlabel("Gbit/s (median; veth in one kernel)")
    left.legend()
    right.barh(y, [r["rr_us"] for r in rows], color="tab:green")
    right.set_yticks(y)
    right.set_yticklabels([])
    right.invert_yaxis()
    right.set_xlabel("request/response round trip, us (median)")
    _save(pyplot, fig, path)


def endpoints_section(rows, plots):
    out = ["## 1. Control plane: N endpoints on one host (`bench/endpoints.py`)", "",
           "Each endpoint: a namespace (lo up), a veth pair with the peer inside it, the host end a bridge port, an "
           "address, a default route. Every contender on a fresh lab host, in the same run: the collection's "
           "playbook (one `cnet.linux.converge` call with the bridge, netns and veth parts, Ansible's overhead included), a shell script of sequential `ip` "
           "commands, the same as one `ip -batch` for the host and one `ip -n <ns> -batch` per namespace, the CNI "
           "reference plugins (`loopback` then `bridge` + `host-local`, one ADD per container, as containerd, "
           "podman and Kubernetes attach one), and a naive playbook looping `ansible.builtin.command: ip ...` "
           "(N <= 100). Ratios are the median of each run's ratio.", ""]
    out += table(["N", "ip script (s)", "ip -batch (s)", "CNI plugins (s)", "naive loop (s)", "playbook (s)",
                  "vs script", "vs ip -batch", "vs CNI", "naive / playbook", "module time (s)", "ms/endpoint",
                  "no-op module (s)", "no-op netlink events"],
                 [[r["n"], cell(r["script_s"]), cell(r["batch_s"]), cell(r["cni_s"]), cell(r["naive_s"]),
                   cell(r["playbook_s"]), cell(r["ratio"]), cell(r["batch_ratio"]), cell(r["cni_ratio"]),
                   cell(r["naive_ratio"], "%.0fx"), cell(r["module_s"]), cell(r["module_ms_per_endpoint"]),
                   cell(r["noop_module_s"]), r["noop_monitor_events"]] for r in rows])
    big, small = max(rows, key=lambda r: r["n"]), min(rows, key=lambda r: r["n"])
    fabric = max(r.get("noop_fabric_events", 0) for r in rows)
    if fabric:
        out += ["", "The no-op's netlink events are the host's and its containers'; %d event%s of the lab's fabric (the "
                    "namespace at the other end of the host's eth0, its bridge port) during the no-op %s not counted."
                % (fabric, "" if fabric == 1 else "s", "is" if fabric == 1 else "are")]
    out += ["", "Goals at N = %d:" % big["n"], verdict("<= 0.35x the ip script", big["ratio"], big["ratio"] <= 0.35)]
    if big["cni_ratio"]:
        out.append(verdict("<= 0.1x the CNI plugins", big["cni_ratio"], big["cni_ratio"] <= 0.1))
    naive = [r for r in rows if r["naive_ratio"]]
    if naive:
        out.append(verdict(">= 50x faster than the naive loop at N = %d" % naive[-1]["n"], naive[-1]["naive_ratio"],
                           naive[-1]["naive_ratio"] >= 50, "%.0fx"))
    out.append(verdict("no-op <= 1.5 s of module time, no netlink change", big["noop_module_s"],
                       big["noop_module_s"] <= 1.5 and big["noop_monitor_events"] == 0 and not big["noop_changed"],
                       "%.2f s"))
    if small is not big:
        scale = big["module_ms_per_endpoint"] / small["module_ms_per_endpoint"]
        out.append(verdict("module time per endpoint at N = %d <= 1.3x N = %d" % (big["n"], small["n"]), scale,
                           scale <= 1.3, "%.2fx"))
    out += ["", "Where the playbook's time goes at N = %d: %.2f s in the module (%.2fx the CNI plugins' time on its own), "
                "%.2f s Ansible's start, connection and payload (the playbook at N = %d takes %.2f s with %.2f s in the "
                "module)." % (big["n"], big["module_s"], big["module_s"] / big["cni_s"] if big["cni_s"] else 0,
                              big["playbook_s"] - big["module_s"], small["n"], small["playbook_s"], small["module_s"])]
    sizes = sorted(r["n"] for r in rows)
    if len(sizes) > 1:
        mid = [r for r in rows if r["n"] == sizes[-2]][0]
        grow = [(name, big[key] / big["n"] / (mid[key] / mid["n"])) for name, key in
                (("the module", "module_s"), ("the ip script", "script_s"), ("ip -batch", "batch_s"),
                 ("the CNI plugins", "cni_s")) if big.get(key) and mid.get(key)]
        out.append("Time per endpoint at N = %d against N = %d, in the same runs: %s - what every contender asks "
                   "of the kernel (a namespace, a veth pair) costs more per object as their number grows." % (
                       big["n"], mid["n"], ", ".join("%s %.2fx" % g for g in grow)))
    plot_endpoints(rows, os.path.join(plots, "endpoints.png"))
    return out + ["", "![endpoints vs seconds](benchmarks/endpoints.png)", ""]


def ports_section(rows):
    out = ["## Published ports: `iptables_nat` against one `iptables-restore` (`bench/ports.py`)", ""]
    out += table(["backend", "ports", "rules", "one iptables-restore (s)", "module apply (s)", "ratio",
                  "module process (s)", "no-op process (s)", "no-op restore calls", "CNI portmap (s)"],
                 [[r["backend"], r["ports"], r["rules"], cell(r["restore_s"], "%.3f"), cell(r["engine_s"], "%.3f"),
                   cell(r["ratio"]), cell(r["apply_s"], "%.3f"), cell(r["noop_s"], "%.3f"), r["noop_restore_calls"],
                   cell(r.get("portmap_s"))] for r in rows])
    return out + [""]


def peers_section(row):
    out = ["## One host with many overlay peers (`bench/peers.py`)", ""]
    out += table(["peers", "converge: module (s)", "its process (s)", "netlink writes", "no-op: module (s)",
                  "no-op writes", "one peer added: module (s)"],
                 [[row["peers"], cell(row["converge_s"]), cell(row["converge_process_s"]), row["converge_writes"],
                   cell(row["noop_s"]), row["noop_writes"], cell(row["add_one_s"])]])
    return out + ["", verdict("%d peers converge in <= 2 s of module time" % row["peers"], row["converge_s"],
                              row["converge_s"] <= 2, "%.2f s"),
                  verdict("the no-op takes <= 0.5 s", row["noop_s"], row["noop_s"] <= 0.5 and not row["noop_changed"],
                          "%.2f s"), ""]


def fleet_section(data, plots):
    rows = data["sizes"]
    out = ["## 2. Fleet scale (`bench/fleet.py`)", "",
           "Lab hosts with 10 containers each (4 on a bridge network publishing a port each, 3 on an l3 and 3 on an "
           "l2 overlay, full meshes); forks = hosts. The no-op is also given in ping rounds: its time over one "
           "`ansible -m ping` round of the same hosts, measured in the same run. The plan columns are the "
           "controller's time for the fleet plan: once per run (as the roles call it now) and once per host (as "
           "they did before: O(hosts^2)). Every lab host shares this machine's cores, so whatever each host runs "
           "adds up here; on a real fleet each host has its own CPU.", ""]
    out += table(["hosts", "first converge (s)", "no-op site.yml (s)", "drift.yml (s)", "ping round (s)",
                  "no-op in ping rounds", "no-op with Mitogen (s)", "plan once per run (s)", "plan once per host (s)"],
                 [[r["hosts"], cell(r["converge_s"], "%.1f"), cell(r["noop_s"], "%.1f"), cell(r["drift_s"], "%.1f"),
                   cell(r["ping_s"]), cell(r["noop_ping_rounds"], "%.1f"),
                   cell((r.get("mitogen") or {}).get("noop_s"), "%.1f") if not (r.get("mitogen") or {}).get("error")
                   else "failed", cell(r["plan_once_s"], "%.3f"), cell(r["plan_per_host_s"], "%.3f")] for r in rows])
    worst = max(r["noop_ping_rounds"] for r in rows)
    out += ["", verdict("a no-op site.yml <= 4 ping rounds at every size (worst)", worst, worst <= 4, "%.1f")]
    for skip in data.get("skipped") or []:
        out.append("- %d hosts: %s." % (skip["hosts"], skip["reason"]))
    errors = [(r["hosts"], r["mitogen"]["error"]) for r in rows if (r.get("mitogen") or {}).get("error")]
    for hosts, error in errors:
        out.append("- Mitogen at %d hosts: %s" % (hosts, error))
    slow = rows[-1].get("noop_tasks") or []
    remote = [t for t in slow if any(word in t["task"] for word in ("Converge this host", "Probe each", "Read what"))]
    if remote:
        total = sum(t["seconds"] for t in slow)
        out += ["", "At %d hosts the three module calls per host (read, converge, probe) take %.1f s of the no-op's "
                    "%.1f s of tasks: every lab host runs them on this machine's 2 cores, so each call's time grows "
                    "with the number of hosts, where a ping round runs the lightest module there is. On a real fleet "
                    "each host runs its calls on its own CPU." % (rows[-1]["hosts"], sum(t["seconds"] for t in remote),
                                                                  total)]
    if slow:
        out += ["", "Where the no-op's time goes at %d hosts (each task from its start to the next's, all hosts "
                    "together; the 12 slowest of %d):" % (rows[-1]["hosts"], len(slow)), ""]
        out += table(["task", "s"], [[t["task"][:100], cell(t["seconds"])] for t in slow[:12]])
    if data.get("plans"):
        out += ["", "The plan alone for larger fleets (the same inventory per host, on the controller, no lab):", ""]
        out += table(["hosts", "once per run (s)", "once per host (s)"],
                     [[p["hosts"], cell(p["plan_once_s"]), cell(p["plan_per_host_s"], "%.1f")] for p in data["plans"]])
    out += ["", THOUSANDS]
    plot_fleet(rows, os.path.join(plots, "fleet.png"))
    return out + ["", "![fleet size vs seconds](benchmarks/fleet.png)", ""]


THOUSANDS = """**Thousands of hosts.** The plan is computed once per run now, so one `site.yml` over thousands of hosts
costs the controller one plan (its output is intrinsically O(hosts^2) for full-mesh overlays - every host lists
every peer - which is the second column's growth) plus Ansible's per-task cost per host. What to use:
- **one job, more forks** (`-f`, or `forks` in ansible.cfg) on a controller with cores to match, with
  `cnet_serial` for batches: the rollout stops at the first batch whose overlay health gate fails;
- **Mitogen** (`ANSIBLE_STRATEGY_PLUGINS=<site-packages>/ansible_mitogen/plugins/strategy
  ANSIBLE_STRATEGY=mitogen_linear`), measured above: it works with ansible-core 2.19 and these playbooks,
  but with three module calls per host it no longer makes the no-op faster (compare the columns) - not
  recommended;
- **not AWX/AAP job slicing** for `site.yml`: a slice sees only its share of the inventory, so its hosts'
  plan would not know the other slices' hosts - and an overlay's peer set is authoritative, so the other
  slices' peers would be removed. Slicing is for jobs without cross-host orchestration (the AWX docs say
  so). Split a very large fleet into independent fleets (an inventory each, overlays that do not span
  them) instead;
- **`ansible-pull`** runs the playbook on each host against itself: the other hosts' facts and records are
  not there, so every host needs `cnet_underlay_address` and pinned leases (`cnet_overlay_leases`) in the
  inventory it pulls; then every host computes the same plan."""


def dataplane_section(data, plots):
    out = ["## 3. Data plane (`bench/dataplane.py`)", "",
           "iperf3 (%d s per run) and a TCP request/response test (1-byte messages, one at a time, the median round "
           "trip) inside lab namespaces, medians of %d runs. **Everything here is veth inside one kernel on the same "
           "cores**: no NIC, no wire, sender and receiver share the CPUs, so the numbers compare the paths' "
           "software costs with each other (encapsulation, a bridge, netfilter), not what a real network gives. On "
           "real NICs the underlay is usually the bottleneck and VXLAN costs mostly CPU and 50 bytes of MTU; "
           "offloads (UDP tunnel segmentation, GRO) decide how much." % (data["seconds"], data["repeat"]), ""]
    out += table(["path", "1 stream (Gbit/s)", "8 streams (Gbit/s)", "request/response (us)"],
                 [[r["path"], cell(r["one_gbit"], "%.1f"), cell(r["eight_gbit"], "%.1f"), cell(r["rr_us"], "%.0f")]
                  for r in data["paths"] + data["variants"]])
    out += ["", "Goals:"] + [verdict(g["goal"], g["value"], g["met"], "%.2fx") for g in data["goals"]]
    for name, row in sorted(data["pmtu"].items()):
        ok = row["passes"] and row["one_more_refused"]
        out.append("- PMTU on the %s: a %d-byte DF ping passes, one byte more is refused with `%s` - %s" % (
            name, row["payload"], row["error"] or "no error", "met" if ok else "NOT met"))
    shown = ("tx-checksumming", "tx-udp_tnl-segmentation", "tx-udp_tnl-csum-segmentation", "generic-segmentation-offload",
             "generic-receive-offload", "rx-gro-list", "rx-udp-gro-forwarding")
    offloads = data.get("offloads") or {}
    out += ["", "The VXLAN device's offloads (`ethtool -k vx4096`): " + ", ".join(
        "%s %s" % (k, offloads[k]) for k in shown if k in offloads) + "."]
    out += profile_section(data.get("profile"))
    out += why_dataplane(data)
    out += host_gw_dataplane(data)
    out += macvlan_dataplane(data)
    plot_dataplane(data, os.path.join(plots, "dataplane.png"))
    return out + ["", "![throughput and latency per path](benchmarks/dataplane.png)", ""]


def host_gw_dataplane(data):
    """The host-gw overlay next to the l3 VXLAN overlay it replaces on one L2 underlay."""
    by = dict((row["path"], row) for row in data["paths"])
    if "host-gw overlay" not in by or "l3 overlay" not in by:
        return []
    hg, l3, base = by["host-gw overlay"], by["l3 overlay"], by["underlay"]
    return ["", "host-gw against the l3 VXLAN overlay (same leases, no encapsulation, the whole MTU): 1 stream "
                "%.2fx, 8 streams %.2fx, request/response %.2fx the l3 overlay's; %.2fx, %.2fx and %.2fx the "
                "underlay's." % (hg["one_gbit"] / l3["one_gbit"], hg["eight_gbit"] / l3["eight_gbit"],
                                 hg["rr_us"] / l3["rr_us"], hg["one_gbit"] / base["one_gbit"],
                                 hg["eight_gbit"] / base["eight_gbit"], hg["rr_us"] / base["rr_us"])]


def macvlan_dataplane(data):
    """The macvlan path: containers on the underlay itself, against the underlay and the routed overlays."""
    by = dict((row["path"], row) for row in data["paths"])
    if "macvlan" not in by:
        return []
    mv, base = by["macvlan"], by["underlay"]
    out = ["", "macvlan (containers on the hosts' underlay Ethernet, no bridge, NAT or tunnel): 1 stream %.2fx, 8 "
               "streams %.2fx, request/response %.2fx the underlay's" % (
                   mv["one_gbit"] / base["one_gbit"], mv["eight_gbit"] / base["eight_gbit"], mv["rr_us"] / base["rr_us"])]
    if "host-gw overlay" in by:
        hg = by["host-gw overlay"]
        out[-1] += "; %.2fx, %.2fx and %.2fx the host-gw overlay's" % (
            mv["one_gbit"] / hg["one_gbit"], mv["eight_gbit"] / hg["eight_gbit"], mv["rr_us"] / hg["rr_us"])
    out[-1] += "."
    return out


def why_dataplane(data):
    """The unmet goals read against the profile, with this run's numbers."""
    prof = data.get("profile") or {}
    by = dict((row["path"], row) for row in data["paths"])
    if "underlay" not in prof or "l3 overlay" not in prof:
        return []
    cost = prof["l3 overlay"]["cpu_ms_per_gbit"] / prof["underlay"]["cpu_ms_per_gbit"]
    return ["", "Reading the goals against the profile: the l3 overlay costs %.2fx the underlay's CPU per gigabit "
                "(encapsulation, a second pass through routing and netfilter on each host, the overlay bridge). With 8 "
                "streams both cores are busy, so the overlay can move at most about 1/%.2f = %.2fx the underlay's "
                "data here (measured %.2fx); the 0.95x goal needs a CPU with cores to spare, i.e. a real NIC as the "
                "bottleneck. One stream keeps the machine %.0f%% busy: it is bound by one flow's softirq path, where "
                "the added per-packet work costs %.2fx in throughput. The bridge path costs %.2fx the direct veth's "
                "CPU per gigabit (the bridge, and the netfilter pass its published port needs: `br_nf_pre_routing`, "
                "`nft_do_chain`). On real NICs with UDP tunnel offloads the encapsulation moves to the card; here "
                "everything is software on 2 shared cores." % (
                    cost, cost, 1 / cost, by["l3 overlay"]["eight_gbit"] / by["underlay"]["eight_gbit"],
                    100 * prof["l3 overlay"]["cpu_busy"], by["l3 overlay"]["one_gbit"] / by["underlay"]["one_gbit"],
                    prof["bridge"]["cpu_ms_per_gbit"] / prof["veth"]["cpu_ms_per_gbit"] if "bridge" in prof and "veth"
                    in prof else float("nan"))]


def profile_section(profile):
    """Where the CPU goes per path (bench/cpuprofile.py), for the goals the overlays miss."""
    if not profile:
        return []
    if profile.get("unavailable"):
        return ["", "No CPU profile: %s." % profile["unavailable"]]
    out = ["", "### Where the CPU goes (`bench/cpuprofile.py`)", "",
           "One more 1-stream iperf3 run per path while `perf record -a` samples the whole machine on the software "
           "clock and `/proc/stat` counts its busy time: CPU milliseconds per gigabit moved (sender and receiver "
           "together, both on this machine's 2 cores), and the busy samples grouped by what the code does. The software "
           "clock cannot sample code that runs with interrupts off: its time lands where they are turned on again "
           "(`_raw_spin_unlock_irqrestore`, `handle_softirqs`), so the groups are a guide and the CPU per gigabit, "
           "from `/proc/stat`, is the measure.", ""]
    base = (profile.get("underlay") or {}).get("cpu_ms_per_gbit")
    order = ("underlay", "veth", "bridge", "l3 overlay", "l2 overlay", "host-gw overlay", "macvlan")
    rows = []
    for name, row in sorted(profile.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)):
        cost = row.get("cpu_ms_per_gbit")
        groups = ", ".join("%s %.0f%%" % kv for kv in sorted(row["groups"].items(), key=lambda kv: -kv[1])[:5])
        rows.append([name, cell(row["gigabits"], "%.1f"), cell(100 * row["cpu_busy"], "%.0f%%"), cell(cost, "%.0f"),
                     cell(cost / base if cost and base else None, "%.2fx"), groups])
    out += table(["path", "Gbit moved", "machine busy", "CPU ms per Gbit", "vs underlay", "busy samples by group"], rows)
    for name in ("l3 overlay", "l2 overlay"):
        row = profile.get(name)
        if row and row.get("top"):
            out += ["", "Top symbols on the %s: %s." % (name, ", ".join(
                "`%s` %.1f%%" % (t["symbol"], t["percent"]) for t in row["top"]))]
    return out


SECTIONS = (("endpoints", endpoints_section), ("ports", lambda data, plots: ports_section(data)),
            ("fleet", fleet_section), ("peers", lambda data, plots: peers_section(data)),
            ("dataplane", dataplane_section))


def write(runs, quick, doc, results, repeat=None):
    plots = os.path.join(os.path.dirname(doc), "benchmarks")
    os.makedirs(plots, exist_ok=True)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ["# Benchmarks", "", "Written by `bench/run%s` on %s; raw results in `%s`. %s" % (
        " --quick" if quick else "", when, results,
        "A quick pass: small sizes, one run each - indicative only." if quick else
        "Medians of %s runs; every ratio is measured within one run." % (repeat or 5)), "",
        "## The machine", ""]
    out += table(["", ""], machine())
    out += ["", "Lab hosts are network, mount and UTS namespaces of this kernel, reached over SSH (`cnet-lab`).", ""]
    for name, section in SECTIONS:
        run = runs.get(name)
        if run is None:
            continue
        if not run["ok"]:
            out += ["## %s" % name, "", "`bench/%s.py %s` failed (exit %d): see its output." % (
                name, " ".join(run["argv"]), run["exit"]), ""]
            continue
        out += section(run["data"], plots)
    with open(doc, "w") as handle:
        handle.write("\n".join(out).rstrip("\n") + "\n")


if __name__ == "__main__":
    import json  # pylint: disable=import-outside-toplevel
    with open(sys.argv[1]) as source:
        suite = json.load(source)
    write(suite["runs"], suite["quick"], sys.argv[2] if len(sys.argv) > 2 else
          os.path.join(common.REPO, "docs", "benchmarks.md"), os.path.dirname(os.path.abspath(sys.argv[1])),
          suite.get("repeat"))
