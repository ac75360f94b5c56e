"""This machine's own network (the root namespace), as comparable text: the guard that tests and
scripts/test use to prove a run left it exactly as it was."""

import json
import re
import subprocess

SYSCTLS = ("net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding")


def _out(*argv):
    res = subprocess.run(argv, capture_output=True, text=True, check=False)
    return res.stdout if res.returncode == 0 else "<%s failed>" % argv[0]


def snapshot():
    """Links, addresses, routes, named namespaces, iptables rules (without counters) and forwarding."""
    rules = re.sub(r"\[\d+:\d+\]", "", "\n".join(
        line for line in _out("iptables-save").splitlines() if not line.startswith("#")))
    sysctls = {}
    for key in SYSCTLS:
        with open("/proc/sys/" + key) as f:
            sysctls[key] = f.read().strip()
    return {
        "links": _out("ip", "-o", "link"),
        "addresses": _out("ip", "-o", "addr"),
        "routes": _out("ip", "route", "show", "table", "all"),
        "ipv6 routes": _out("ip", "-6", "route", "show", "table", "all"),
        "named namespaces": _out("ip", "netns", "list"),
        "iptables": rules,
        "sysctls": sysctls,
    }


def dumps(snap):
    return json.dumps(snap, indent=1, sort_keys=True)


def changed(before, after):
    return [key for key in before if before[key] != after.get(key)]
