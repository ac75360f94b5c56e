"""Who reaches whom in a lab: real pings from inside each host, printed as a table."""

import json
import os
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


# Containers: every namespace of every host against every container address the hosts recorded (bridge and
# ptp addresses are host-local, as Docker's are; overlay addresses span the fleet), and the outside address.
PROBE_ALL = ('for ns in $(ip netns list | cut -d" " -f1); do for a in "$@"; do '
             '(if ip netns exec "$ns" ping -c1 -W1 -q "$a" >/dev/null 2>&1; then echo "$ns $a ok"; '
             'else echo "$ns $a -"; fi) & done; done; wait')


def _records(name):
    out = {}
    for host in fleet.load(name)["hosts"]:
        path = os.path.join(fleet.lab_dir(name), "hosts", host["name"], "state", "fleet.json")
        if os.path.exists(path):
            with open(path) as handle:
                out[host["name"]] = json.load(handle)
    return out


def container_addresses(name):
    """[(label, address, host)] of every container address the lab's hosts recorded; host is set for host-local
    networks (bridge, ptp: the same subnet on every host, so only that host's namespaces count)."""
    columns, records = [], _records(name)
    for host, record in sorted(records.items()):
        for net, addrs in sorted((record.get("addresses") or {}).items()):
            local = ((record.get("networks") or {}).get(net) or {}).get("driver") != "overlay"
            columns += [("%s@%s %s" % (c, host, net), ip, host if local else None) for c, ip in sorted(addrs.items())]
    seen = set()
    for record in records.values():
        for net, addrs in sorted((record.get("l2") or {}).items()):
            for key, ip in sorted(addrs.items()):
                if ip not in seen:
                    seen.add(ip)
                    host, cname = key.split("/", 1)
                    columns.append(("%s@%s %s" % (cname, host, net), ip, None))
    return columns + [("outside", topology.OUTSIDE_ADDRESS, None)]


def containers(name):
    """(columns, {'<ns>@<host>': {address: ok}}) measured with real pings, all in parallel."""
    state = fleet.load(name)
    if state is None:
        raise fleet.LabError("no lab named %s" % name)
    columns = container_addresses(name)
    jobs = {}
    for host in state["hosts"]:
        argv = fleet.exec_argv(name, host["name"], ["sh", "-c", PROBE_ALL, "probe"] + sorted(set(c[1] for c in columns)))
        jobs[host["name"]] = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    result = {}
    for host, proc in sorted(jobs.items()):
        out = proc.communicate(timeout=60)[0]
        for line in sorted(out.splitlines()):
            parts = line.split()
            if len(parts) == 3:
                result.setdefault("%s@%s" % (parts[0], host), {})[parts[1]] = parts[2] == "ok"
    return columns, result


def render_containers(columns, result, title):
    """One row per namespace: the labels of the addresses it reaches."""
    lines = [title]
    width = max([len(r) for r in result] + [10]) + 2
    for row, seen in sorted(result.items()):
        host = row.rsplit("@", 1)[1]
        reached = [label for label, addr, local in columns if seen.get(addr) and local in (None, host)]
        lines.append(row.ljust(width) + (", ".join(reached) if reached else "(nothing: no network)"))
    return "\n".join(lines)


SERVE = ("import socket,sys\ns=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
         "s.bind((sys.argv[1],int(sys.argv[2])));s.listen(8);print('up',flush=True)\n"
         "while True:\n c,a=s.accept();c.sendall((sys.argv[3]+' '+a[0]+'\\n').encode());c.close()\n")
ASK = ("import socket,sys\ntry:\n c=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=3)\n"
       " print(c.recv(200).decode().strip())\nexcept OSError as e:\n print('unreachable (%s)'%e)\n")


def _serve(argv):
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    proc.stdout.readline()
    return proc


def published(name, host, netns, port, host_port, egress_from):
    """The published port from the fabric (what the container's server sees as the client) and egress
    masquerade (what a fabric server sees as the container's source). Servers are ended by their pid."""
    state = fleet.load(name)
    address = [h["address"] for h in state["hosts"] if h["name"] == host][0]
    fabric = os.path.join(fleet.lab_dir(name), "fabric.net")
    servers = []
    try:
        servers.append(_serve(fleet.exec_argv(name, host, ["ip", "netns", "exec", netns, "python3", "-c", SERVE,
                                                           "0.0.0.0", str(port), netns])))
        servers.append(_serve(["nsenter", "--net=" + fabric, "python3", "-c", SERVE, topology.OUTSIDE_ADDRESS,
                               "8080", "outside"]))
        inbound = subprocess.run(["nsenter", "--net=" + fabric, "python3", "-c", ASK, address, str(host_port)],
                                 capture_output=True, text=True, timeout=10, check=False).stdout.strip()
        ehost, ens = egress_from
        egress = subprocess.run(fleet.exec_argv(name, ehost, ["ip", "netns", "exec", ens, "python3", "-c", ASK,
                                                              topology.OUTSIDE_ADDRESS, "8080"]),
                                capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    finally:
        for proc in servers:
            proc.kill()
            proc.wait()
    return ["published %s:%d -> %s:%d, from the fabric: %s" % (address, host_port, netns, port, inbound),
            "egress from %s@%s to the outside %s:8080: %s" % (ens, ehost, topology.OUTSIDE_ADDRESS, egress)]
