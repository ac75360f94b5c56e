"""Where a data path's CPU time goes (issue 18: an unmet goal comes with its profile). While one iperf3 stream
runs, the whole machine's busy CPU time is read from /proc/stat and its kernel and user time is sampled by
`perf record -a` on the software clock (this machine's virtual CPUs have no hardware counters). Both only read;
nothing of the machine's own network is touched. Per path: CPU milliseconds per gigabit moved, and the samples
grouped by what the code does (TCP, copies, checksums, VXLAN/UDP encapsulation, the bridge, netfilter, veth,
the rest), with the top symbols. The software clock cannot sample code that runs with interrupts off: its time
lands where they are turned on again (_raw_spin_unlock_irqrestore, handle_softirqs), so the groups are a guide
and the CPU per gigabit, from /proc/stat, is the measure."""

import os
import re
import shutil
import subprocess
import tempfile
import time

# (group, pattern on the symbol): the first match wins; the order puts the specific before the general
GROUPS = (
    ("idle", r"halt|idle|cpuidle|mwait|poll_idle"),
    ("VXLAN/UDP encapsulation", r"vxlan|udp_tunnel|udp4?_gro|udp_gro|udp_rcv|udp_queue|__udp|iptunnel|ip_tunnel|"
                                r"gro_cells|skb_udp_tunnel|udp_set_csum|udp4_lib|udp_send_skb|udp_sendmsg"),
    ("checksums", r"csum"),
    ("copies", r"copy_user|memcpy|memmove|copy_page|_copy_to_iter|_copy_from_iter|skb_copy|rep_movs"),
    ("netfilter / conntrack", r"^nf_|^nft_|ipt_|iptable|ip6t|nf_conntrack|nf_nat|xt_|nf_hook|br_nf"),
    ("bridge", r"^br_|bridge"),
    ("veth", r"veth"),
    ("TCP", r"tcp"),
    ("IP and routing", r"^ip_|^ip6_|fib_|dst_|rt_|neigh|arp_"),
    ("skb and memory", r"skb|kmem|kmalloc|kfree|page_frag|alloc_pages|__alloc|slab|folio|page_pool"),
    ("softirq, interrupts-off work, scheduling",
     r"softirq|irqrestore|napi|net_rx|process_backlog|netif_|__netif|schedule|switch_to|wake|enqueue|dequeue|raw_spin|"
     r"_raw_|lock"),
)


def available():
    """Why perf cannot sample here, or None when it can."""
    if not shutil.which("perf"):
        return "perf is not installed (Debian: linux-perf)"
    probe = subprocess.run(["perf", "record", "-a", "-F", "99", "-o", "/dev/null", "--", "true"],
                           capture_output=True, text=True, check=False)
    return None if probe.returncode == 0 else "perf record -a fails: %s" % probe.stderr.strip()[-200:]


def busy_seconds():
    """(busy, total) CPU seconds of the machine so far, from /proc/stat's cpu line."""
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def group_of(symbol):
    for name, pattern in GROUPS:
        if re.search(pattern, symbol, re.I):
            return name
    return "the rest"


def report(data_path):
    """[(percent, symbol)] of perf's samples, most first."""
    res = subprocess.run(["perf", "report", "-i", data_path, "--stdio", "--no-children", "--sort", "sym",
                          "--percent-limit", "0.01"], capture_output=True, text=True, check=False)
    out = []
    for line in res.stdout.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+\[[.kuhHgx]\]\s+(.+?)\s*$", line)
        if m:
            out.append((float(m.group(1)), m.group(2)))
    return out


def profile(run, seconds):
    """run(): starts the traffic, waits for it and returns the gigabits moved. Returns the profile dict."""
    with tempfile.TemporaryDirectory(prefix="cnet-bench-perf-") as workdir:
        data_path = os.path.join(workdir, "perf.data")
        perf = subprocess.Popen(["perf", "record", "-a", "-F", "499", "-o", data_path, "--", "sleep", str(seconds + 1)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        busy0, total0 = busy_seconds()
        gigabits = run()
        busy1, total1 = busy_seconds()
        perf.wait(timeout=seconds + 30)
        samples = report(data_path)
    busy = [(p, s) for p, s in samples if group_of(s) != "idle"]
    share = sum(p for p, _s in busy) or 1.0
    groups = {}
    for percent, symbol in busy:
        name = group_of(symbol)
        groups[name] = groups.get(name, 0.0) + 100.0 * percent / share
    return {"gigabits": gigabits, "cpu_busy": (busy1 - busy0) / (total1 - total0),
            "cpu_ms_per_gbit": 1000.0 * (busy1 - busy0) / gigabits if gigabits else None,
            "groups": dict(sorted(groups.items(), key=lambda kv: -kv[1])),
            "top": [{"percent": 100.0 * p / share, "symbol": s} for p, s in busy[:8]]}
