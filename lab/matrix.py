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
        out = proc.communicate(timeout=5 + 2 * len(targets))[0]
        seen = dict(line.split() for line in out.splitlines() if line.count(" ") == 1)
        result[host] = {t: seen.get(t) == "ok" for t in targets}
    return result


def underlay(name):
    """The lab's own reachability table: every host to every host and to the outside address."""
    state = fleet.load(name)
    if state is None:
        raise fleet.LabError("no lab named %s" % name)
    columns = [(h["name"], h["address"]) for h in state["hosts"]] + [("outside", topology.OUTSIDE_ADDRESS)]
    return columns, probe(name, [column[1] for column in columns])


def render(columns, result, title):
    names = [label for label, addr in columns]
    width = max([len(n) for n in names] + [len(src) for src in result] + [8]) + 2
    lines = [title, "from \\ to".ljust(width) + "".join(n.ljust(width) for n in names)]
    bad = 0
    for src, row in result.items():
        cells = []
        for label, addr in columns:
            ok = row.get(addr)
            bad += 0 if ok else 1
            cells.append(("ok" if ok else "FAIL").ljust(width))
        lines.append(src.ljust(width) + "".join(cells))
    total = len(columns) * len(result)
    lines.append("%d of %d paths reachable" % (total - bad, total))
    return "\n".join(lines), bad
