"""A lab host's network and the collection's files, as comparable items: what `teardown.yml` must give back.

``cnet-lab host-state LAB HOST`` prints a snapshot; ``--compare FILE`` prints what differs from one taken
earlier, section by section (items gone, items new). The sections: links (name, kind, MTU, MAC, master,
state), addresses, IPv4 and IPv6 routes of every table, named namespaces, iptables and ip6tables rules and chains of every
table in both backends (counters and empty built-in chains left out: a table that exists with nothing in it
filters like one that does not), the forwarding and bridge-netfilter sysctls, the kernel modules (VM guests
only: a namespace lab shares this machine's kernel), and the files under the directories the collection
writes (its state, the systemd units, /usr/local).
"""

import json
import re
import subprocess

from . import fleet

SYSCTLS = ("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.bridge.bridge-nf-call-iptables",
           "net.bridge.bridge-nf-call-ip6tables")
FILES = ("/var/lib/cnet", "/etc/systemd/system", "/usr/local/sbin", "/usr/local/lib/cnet", "/etc/netns")

SCRIPT = r"""
section() { echo "### $1"; }
section links; ip -j -d link show
section addresses; ip -j addr show
section routes; ip -j route show table all
section routes6; ip -j -6 route show table all
section namespaces; ip netns list
for b in legacy nft; do section iptables-$b; iptables-$b-save 2>/dev/null; done
for b in legacy nft; do section ip6tables-$b; ip6tables-$b-save 2>/dev/null; done
section sysctls; for k in %(sysctls)s; do printf '%%s = %%s\n' "$k" "$(sysctl -n "$k" 2>/dev/null || echo absent)"; done
section modules; %(modules)s
section files; find %(files)s -xdev 2>/dev/null | sort
"""


def _links(text):
    items = []
    for link in json.loads(text or "[]"):
        kind = (link.get("linkinfo") or {}).get("info_kind", "")
        items.append("%s kind=%s mtu=%s mac=%s master=%s state=%s" % (
            link["ifname"], kind, link.get("mtu"), link.get("address", ""), link.get("master", ""),
            link.get("operstate")))
    return items


def _addresses(text):
    return ["%s %s/%s scope %s" % (a["ifname"], i["local"], i["prefixlen"], i.get("scope"))
            for a in json.loads(text or "[]") for i in a.get("addr_info", [])]


def _routes(text):
    keep = ("type", "dst", "gateway", "dev", "table", "protocol", "scope", "prefsrc", "metric")
    return [" ".join("%s=%s" % (k, r[k]) for k in keep if k in r) for r in json.loads(text or "[]")]


def rules(text):
    """iptables-save without comments and counters, and without built-in chains that are empty and ACCEPT."""
    items, table = [], None
    for line in text.splitlines():
        line = re.sub(r"\[\d+:\d+\]", "", line).strip()
        if not line or line.startswith("#") or line == "COMMIT":
            continue
        if line.startswith("*"):
            table = line[1:]
        elif line.startswith(":"):
            name, policy = line[1:].split()[:2]
            if policy not in ("-", "ACCEPT"):
                items.append("%s policy %s %s" % (table, name, policy))
            elif policy == "-":
                items.append("%s chain %s" % (table, name))
        else:
            items.append("%s %s" % (table, line))
    return items


PARSERS = {"links": _links, "addresses": _addresses, "routes": _routes, "routes6": _routes,
           "iptables-legacy": rules, "iptables-nft": rules, "ip6tables-legacy": rules, "ip6tables-nft": rules}


def snapshot(name, host):
    state = fleet.load(name) or {}
    modules = "cut -d' ' -f1 /proc/modules | sort" if state.get("vm") else "true"
    script = SCRIPT % {"sysctls": " ".join(SYSCTLS), "modules": modules, "files": " ".join(FILES)}
    res = subprocess.run(fleet.exec_argv(name, host, ["sh", "-c", script]), capture_output=True, text=True,
                         timeout=120, check=False)
    if res.returncode != 0 or "### files" not in res.stdout:
        raise fleet.LabError("reading the state of %s in lab %s failed: %s" % (host, name, res.stderr.strip()[-400:]))
    sections, current = {}, None
    for line in res.stdout.splitlines(True):
        if line.startswith("### "):
            current = line[4:].strip()
            sections[current] = ""
        elif current:
            sections[current] += line
    return {key: sorted(PARSERS.get(key, lambda t: [x for x in t.splitlines() if x.strip()])(text))
            for key, text in sections.items()}


def compare(before, after):
    """{section: {"gone": [...], "new": [...]}} for every section that differs."""
    diff = {}
    for key in sorted(set(before) | set(after)):
        old, new = set(before.get(key, [])), set(after.get(key, []))
        if old != new:
            diff[key] = {"gone": sorted(old - new), "new": sorted(new - old)}
    return diff
