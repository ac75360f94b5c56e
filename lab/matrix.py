"""Who reaches whom in a lab: real pings from inside each host, printed as a table."""

import subprocess

from . import fleet, topology

PROBE = 'for a in "$@"; do if ping -c1 -W1 -q "$a" >/dev/null 2>&1; then echo "$a ok"; else echo "$a -"; fi; done'


def probe(name, targets):
    """{source host: {target address: True/False}} measured with one ping per pair, hosts in parallel."""
    state = fleet.load(name)
    if state is None:
        raise fleet.LabError("no lab named %s" % name)
    jobs = {}
    for host in state["hosts"]:
        argv = fleet.exec_argv(name, host["name"], ["sh", "-c", PROBE, "probe"] + list(targets))
        jobs[host["name"]] = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    result = {}
    for host, proc in jobs.items():
        out, _ = proc.communicate(timeout=5 + 2 * len(targets))
        seen = dict(line.split() for line in out.splitlines() if line.count(" ") == 1)
        result[host] = {t: seen.get(t) == "ok" for t in targets}
    return result


def underlay(name):
    """The lab's own reachability table: every host to every host and to the outside address."""
    state = fleet.load(name)
    if state is None:
        raise fleet.LabError("no lab named %s" % name)
    columns = [(h["name"], h["address"]) for h in state["hosts"]] + [("outside", topology.OUTSIDE_ADDRESS)]
    return columns, probe(name, [addr for _, addr in columns])


def render(columns, result, title):
    width = max([len(c) for c, _ in columns] + [len(r) for r in result] + [8]) + 2
    lines = [title, "from \\ to".ljust(width) + "".join(c.ljust(width) for c, _ in columns)]
    bad = 0
    for src, row in result.items():
        cells = []
        for _, addr in columns:
            ok = row.get(addr)
            bad += 0 if ok else 1
            cells.append(("ok" if ok else "FAIL").ljust(width))
        lines.append(src.ljust(width) + "".join(cells))
    lines.append("%d of %d paths reachable" % (sum(len(columns) for _ in result) - bad, len(columns) * len(result)))
    return "\n".join(lines), bad
