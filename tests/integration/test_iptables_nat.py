"""cnet.linux.iptables_nat on a lab host: real packets through the rules, with iptables-nft and -legacy.

The lab host h1 forwards with the FORWARD policy DROP (a hardened host); containers are namespaces on bridge
cnet0 (172.17.0.0/16); the fabric namespace is the outside world."""

import os
import re
import subprocess
import sys

import pytest

from lab import fleet, topology

from . import modrun

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peer_server.py")
BACKENDS = ["nft", "legacy"]
FOREIGN = ("*filter\n:HOSTFW - [0:0]\n-A INPUT -p tcp -m tcp --dport 2222 -j ACCEPT\n-A HOSTFW -s 10.9.9.0/24 -j DROP\n"
           "-A FORWARD -j HOSTFW\nCOMMIT\n*nat\n:DOCKER - [0:0]\n-A DOCKER -i docker0 -j RETURN\nCOMMIT\n")


@pytest.fixture(params=BACKENDS)
def nat(request, make_lab):
    """(host, backend): h1 with a bridge network of two containers, web (.10) and api (.11), forwarding on,
    FORWARD policy DROP, and a foreign ruleset (a host firewall, Docker's chain) that must survive; h2 is another
    outside source, besides the fabric."""
    lab = make_lab(2)
    backend = request.param
    # both pyroute2 versions (conntrack goes through it): Debian's with nft, PyPI's with legacy
    host = modrun.Host(lab, "h1", modrun.PYTHONS["pyroute2-0.7" if backend == "nft" else "pyroute2-0.9"])
    host.run("bridge", {"name": "cnet0", "addresses": ["172.17.0.1/16"]})
    host.run("netns", {"namespaces": [{"name": n} for n in ("web", "api")]})
    host.run("veth", {"bridge": "cnet0", "pairs": [
        {"netns": "web", "addresses": ["172.17.0.10/16"], "gateway": "172.17.0.1"},
        {"netns": "api", "addresses": ["172.17.0.11/16"], "gateway": "172.17.0.1"}]})
    host.sh("sysctl -qw net.ipv4.ip_forward=1 && iptables-%s -P FORWARD DROP && iptables-%s-restore --noflush <<'EOF'\n%sEOF"
            % (backend, backend, FOREIGN))
    for ns in ("web", "api"):
        serve(host, ns, "tcp", 22)
    return host, backend


def serve(host, ns, proto, port, bind=None):
    """A peer_server inside namespace ns of the lab host (or in the host's own namespace for ns None)."""
    prefix = "ip netns exec %s " % ns if ns else ""
    host.sh("setsid %s%s %s %s %d %s >/dev/null 2>&1 < /dev/null &" % (prefix, sys.executable, SERVER, proto, port,
                                                                       bind or ""))
    host.sh("for i in $(seq 50); do %sss -Hln%s | grep -q ':%d ' && exit 0; sleep 0.1; done; exit 1"
            % (prefix, "t" if proto == "tcp" else "u", port))


def serve_fabric(host, port):
    """A peer_server in the lab's fabric (the outside world), listening when this returns; end it by its pid."""
    proc = subprocess.Popen(fleet.exec_argv(host.lab["name"], "fabric", [sys.executable, SERVER, "tcp", str(port)]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(fleet.exec_argv(host.lab["name"], "fabric", ["sh", "-c", "for i in $(seq 50); do ss -Hltn | grep "
                                   "-q ':%d ' && exit 0; sleep 0.1; done; exit 1" % port]), check=True)
    return proc


def ask(host, ns, address, port, proto="tcp", member=None):
    """The peer address the server at address:port saw, or None when nothing answered."""
    prefix = "ip netns exec %s " % ns if ns else ""
    if proto == "udp":
        script = "echo x | %snc -u -w 2 %s %d" % (prefix, address, port)
    else:  # send nothing: the server answers at once and closes (closing with unread data would be a RST)
        script = "%snc -d -w 3 %s %d" % (prefix, address, port)
    argv = ["sh", "-c", script]
    res = subprocess.run(fleet.exec_argv(host.lab["name"], member or host.name, argv), capture_output=True, text=True,
                         timeout=20, check=False)
    return res.stdout.strip() or None


def save(host, backend):
    """iptables-save without comments and counters (legacy prints packet counts on chain lines)."""
    text = host.sh("iptables-%s-save" % backend).stdout
    return "\n".join(re.sub(r" \[\d+:\d+\]$", "", l) for l in text.splitlines() if not l.startswith("#"))


def foreign(text):
    """{table: its lines that are not the collection's}, for the tables that hold any rule (a table the
    collection's restore brought into being holds only its builtin chains)."""
    tables, current = {}, None
    for line in text.splitlines():
        if line.startswith("*"):
            current = tables.setdefault(line, [])
        elif current is not None and line != "COMMIT" and "CNET-" not in line:
            current.append(line)
    return dict((t, lines) for t, lines in tables.items() if any(not l.startswith(":") for l in lines))


WEB = {"bridge": "cnet0", "subnet": "172.17.0.0/16",
       "publish": [{"address": "172.17.0.10", "ports": ["2333:22", "127.0.0.1:8053:53/udp"]}]}


def test_published_ports_masquerade_and_hairpin(nat):
    host, backend = nat
    h1 = host.lab["hosts"][0]["address"]
    before = save(host, backend)
    result = host.converge("iptables_nat", dict(WEB, backend=backend))
    assert result["restore_calls"] == 1
    assert "iptables -t nat -A CNET-N-cnet0 -p tcp -m tcp --dport 2333 -j DNAT --to-destination 172.17.0.10:22" \
        in result["actions"]
    noop = host.run("iptables_nat", dict(WEB, backend=backend))
    assert noop["changed"] is False and noop["restore_calls"] == 0
    assert foreign(save(host, backend)) == foreign(before)
    # from outside: the fabric reaches the published port, the container sees the fabric's address
    assert ask(host, None, h1, 2333, member="fabric") == topology.FABRIC_ADDRESS
    # from the host itself, through its own address and through the loopback
    assert ask(host, None, h1, 2333) == h1
    assert ask(host, None, "127.0.0.1", 2333) == "172.17.0.1"
    # hairpin: a container to a neighbour's published port through the host's address
    assert ask(host, "api", h1, 2333) == "172.17.0.1"
    # and to its own: br_netfilter bridges the DNAT-ed frame back out of the port it came from, which the
    # bridge does only in the port's hairpin mode (what the bridge role sets for containers that publish)
    assert ask(host, "web", h1, 2333) is None
    host.run("veth", {"bridge": "cnet0", "hairpin": True, "pairs": [
        {"netns": "web", "addresses": ["172.17.0.10/16"], "gateway": "172.17.0.1"}]})
    assert ask(host, "web", h1, 2333) == "172.17.0.1"
    # egress masquerade: the outside sees the host's underlay address
    serve_outside = serve_fabric(host, 8080)
    try:
        assert ask(host, "web", topology.FABRIC_ADDRESS, 8080) == h1
    finally:
        serve_outside.kill()
        serve_outside.wait()


def test_localhost_publishing_is_for_the_host_only(nat):
    host, backend = nat
    serve(host, "web", "udp", 53)
    host.converge("iptables_nat", dict(WEB, backend=backend))
    h1 = host.lab["hosts"][0]["address"]
    assert ask(host, None, "127.0.0.1", 8053, "udp") == "172.17.0.1"
    assert ask(host, None, h1, 8053, "udp", member="fabric") is None
    # a container that sends packets for 127.0.0.1 to its gateway (as a neighbour on a real LAN could, since the
    # bridge has route_localnet on) must not reach the port: the raw rule drops them before conntrack sees them;
    # without it they are DNAT-ed to the container (the entry shows it; the reply, from 127.0.0.1, is lost)
    host.sh("ip netns exec api sh -c 'sysctl -qw net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.eth0.route_localnet=1"
            " && ip route del local 127.0.0.0/8 dev lo table local && ip route del local 127.0.0.1 dev lo table local"
            " && ip route add 127.0.0.1/32 via 172.17.0.1 dev eth0'")

    def forwarded_from_api():
        ask(host, "api", "127.0.0.1", 8053, "udp")
        entries = host.sh("conntrack -L -p udp --orig-src 172.17.0.11 --orig-dst 127.0.0.1 2>/dev/null").stdout
        host.sh("conntrack -D -p udp --orig-src 172.17.0.11 >/dev/null 2>&1 || true")
        return "src=172.17.0.10" in entries

    assert not forwarded_from_api()
    host.sh("iptables-%s -t raw -F CNET-R-cnet0" % backend)
    assert forwarded_from_api()  # the hole is real
    host.run("iptables_nat", dict(WEB, backend=backend))
    assert not forwarded_from_api()


def test_icc_internal_and_isolation(nat):
    host, backend = nat
    host.run("bridge", {"name": "cnet1", "addresses": ["172.18.0.1/16"]})
    host.run("netns", {"name": "db"})
    host.run("veth", {"bridge": "cnet1", "pairs": [{"netns": "db", "addresses": ["172.18.0.10/16"],
                                                    "gateway": "172.18.0.1"}]})
    serve(host, "db", "tcp", 22)
    h1 = host.lab["hosts"][0]["address"]
    nets = [dict(WEB, icc=False), {"bridge": "cnet1", "subnet": "172.18.0.0/16"}]
    host.converge("iptables_nat", {"networks": nets, "backend": backend})
    assert ask(host, "api", "172.17.0.10", 22) is None          # icc off
    assert ask(host, "api", h1, 2333) == "172.17.0.1"          # the published port still is
    assert ask(host, "db", "172.17.0.10", 22) is None           # another network: isolated
    assert ask(host, "web", "172.18.0.10", 22) is None
    assert ask(host, "db", h1, 2333) == "172.17.0.1"            # published ports are for everyone (masqueraded)
    nets[1]["internal"] = True
    host.converge("iptables_nat", {"networks": nets, "backend": backend})
    assert ask(host, "db", h1, 2333) is None                   # internal: nothing in or out
    assert ask(host, None, "172.18.0.10", 22) == "172.18.0.1"  # but the host reaches it


def test_drift_is_repaired_and_teardown_leaves_foreign_rules(nat):
    host, backend = nat
    before = save(host, backend)
    args = dict(WEB, backend=backend)
    host.converge("iptables_nat", args)
    pristine = save(host, backend)
    h1 = host.lab["hosts"][0]["address"]
    for breakage in ("iptables-{b} -t nat -D CNET-N-cnet0 1", "iptables-{b} -D FORWARD -j CNET-FORWARD",
                     "iptables-{b} -F CNET-F-cnet0", "iptables-{b} -t nat -D POSTROUTING -j CNET-POSTROUTING; "
                     "iptables-{b} -t nat -I POSTROUTING 1 -j MASQUERADE"):
        host.sh(breakage.format(b=backend))
        predicted = host.run("iptables_nat", dict(args), check=True)
        assert predicted["changed"] and predicted["restore_calls"] == 0
        real = host.run("iptables_nat", dict(args))
        assert real["actions"] == predicted["actions"]
        assert host.run("iptables_nat", dict(args), check=True)["changed"] is False
        if "MASQUERADE" in breakage:  # a foreign rule put above our jump: ours is first again, theirs stays
            assert host.sh("iptables-%s -t nat -S POSTROUTING" % backend).stdout.splitlines()[1:] == [
                "-A POSTROUTING -j CNET-POSTROUTING", "-A POSTROUTING -j MASQUERADE"]
        else:
            assert ask(host, None, h1, 2333, member="fabric") == topology.FABRIC_ADDRESS
    host.sh("iptables-%s -t nat -D POSTROUTING -j MASQUERADE" % backend)
    assert save(host, backend) == pristine
    host.sh("iptables-%s -A CNET-USER -s 10.1.2.3/32 -j DROP" % backend)  # the user's hook: left alone
    assert host.run("iptables_nat", dict(args))["changed"] is False
    gone = host.converge("iptables_nat", {"networks": [], "purge": True, "backend": backend})
    assert "CNET-USER" in str(gone.get("warnings")), gone["actions"]
    after = save(host, backend)
    assert [l for l in after.splitlines() if "CNET-" in l] == [":CNET-USER -", "-A CNET-USER -s 10.1.2.3/32 -j DROP"]
    assert foreign(after) == foreign(before)


def test_a_removed_mapping_ends_its_old_flows(nat):
    host, backend = nat
    serve(host, "web", "udp", 53)
    serve(host, "api", "udp", 53)
    h1 = host.lab["hosts"][0]["address"]
    web = {"bridge": "cnet0", "subnet": "172.17.0.0/16", "backend": backend,
           "publish": [{"address": "172.17.0.10", "ports": ["5353:53/udp"]}]}
    host.converge("iptables_nat", web)
    # a UDP "flow" from the fabric, kept alive by its conntrack entry
    assert ask(host, None, h1, 5353, "udp", member="fabric") == topology.FABRIC_ADDRESS
    moved = dict(web, publish=[{"address": "172.17.0.11", "ports": ["5353:53/udp"]}])
    result = host.converge("iptables_nat", moved)
    assert "conntrack -D -p udp --orig-port-dst 5353 --reply-src 172.17.0.10" in result["actions"]
    assert "172.17.0.10" not in host.sh("conntrack -L -p udp 2>/dev/null || true").stdout
    assert ask(host, None, h1, 5353, "udp", member="fabric") == topology.FABRIC_ADDRESS


def test_published_ports_accept_only_the_allowed_sources(nat):
    """allow: the fabric (192.0.2.1) may connect, h2 (192.0.2.12) may not; the user's hook chain sees published
    ports too; narrowing the list ends the flows of the sources it drops and keeps the others'."""
    host, backend = nat
    serve(host, "web", "udp", 53)
    h1, h2 = host.lab["hosts"][0]["address"], host.lab["hosts"][1]["address"]
    web = {"bridge": "cnet0", "subnet": "172.17.0.0/16", "backend": backend,
           "publish": [{"address": "172.17.0.10", "ports": ["2333:22", "5353:53/udp"], "allow": ["192.0.2.1"]},
                       {"address": "172.17.0.10", "ports": ["2334:22"]}]}
    host.converge("iptables_nat", web)
    rules = save(host, backend)
    assert "-A CNET-F-cnet0 -s 192.0.2.1/32 -d 172.17.0.10/32 -o cnet0 -p tcp -m tcp --dport 22 -m conntrack " \
           "--ctstate DNAT --ctorigdstport 2333 -j ACCEPT" in rules
    assert ask(host, None, h1, 2333, member="fabric") == topology.FABRIC_ADDRESS
    assert ask(host, None, h1, 2333, member="h2") is None  # refused: not in allow
    assert ask(host, None, h1, 2334, member="h2") == h2  # the same container port, another host port: everyone
    assert ask(host, "api", h1, 2333) == "172.17.0.1"  # hairpin, a container of the network: not filtered
    # the user's hook chain comes first, for published ports too (the destination there is the container's)
    host.sh("iptables-%s -A CNET-USER -s 192.0.2.1/32 -p tcp -m conntrack --ctorigdstport 2333 -j DROP" % backend)
    assert ask(host, None, h1, 2333, member="fabric") is None
    host.sh("iptables-%s -F CNET-USER" % backend)
    # flows from both sources, then allow only h2: the fabric's flow ends, h2's stays
    wide = dict(web, publish=[dict(web["publish"][0], allow=["192.0.2.1", "192.0.2.12"]), web["publish"][1]])
    host.converge("iptables_nat", wide)
    assert ask(host, None, h1, 5353, "udp", member="fabric") == topology.FABRIC_ADDRESS
    assert ask(host, None, h1, 5353, "udp", member="h2") == h2
    narrow = dict(web, publish=[dict(web["publish"][0], allow=["192.0.2.12/32"]), web["publish"][1]])
    result = host.converge("iptables_nat", narrow)
    assert "conntrack -D -p udp --orig-port-dst 5353 --reply-src 172.17.0.10 (sources outside 192.0.2.12/32)" \
        in result["actions"]
    flows = host.sh("conntrack -L -p udp --orig-port-dst 5353 2>/dev/null || true").stdout
    assert "src=%s " % h2 in flows and "src=%s " % topology.FABRIC_ADDRESS not in flows, flows
    assert ask(host, None, h1, 2333, member="fabric") is None and ask(host, None, h1, 2333, member="h2") == h2


def test_dual_stack_rules_in_ip6tables(nat):
    """A network with subnet6: the same layout in ip6tables (a hardened host: ip6tables FORWARD policy DROP);
    a port published to the container's IPv6 address from the fabric over IPv6 (not masqueraded, as Docker),
    from another host's IPv6 address, and refused from a source outside allow; IPv6 egress masqueraded only
    with masquerade6; icc off holds for IPv6 too; removing subnet6 removes the IPv6 chains."""
    host, backend = nat
    host.sh("sysctl -qw net.ipv6.conf.all.forwarding=1 && ip6tables-%s -P FORWARD DROP" % backend)
    host.run("bridge", {"name": "cnet0", "addresses": ["172.17.0.1/16", "fd00:17::1/64"]})
    host.run("veth", {"bridge": "cnet0", "pairs": [
        {"netns": "web", "addresses": ["172.17.0.10/16", "fd00:17::10/64"], "gateway": "172.17.0.1",
         "gateway6": "fd00:17::1"},
        {"netns": "api", "addresses": ["172.17.0.11/16", "fd00:17::11/64"], "gateway": "172.17.0.1",
         "gateway6": "fd00:17::1"}]})
    h1, h2 = (h["address6"] for h in host.lab["hosts"])
    net = {"bridge": "cnet0", "subnet": "172.17.0.0/16", "subnet6": "fd00:17::/64", "backend": backend, "icc": False,
           "publish": [{"address": "172.17.0.10", "address6": "fd00:17::10", "ports": ["2333:22"]},
                       {"address": "172.17.0.10", "address6": "fd00:17::10", "ports": ["2334:22"],
                        "allow": ["2001:db8:a::1"]}]}
    result = host.converge("iptables_nat", net)
    assert any(a.startswith("ip6tables -t nat -A CNET-N-cnet0 -p tcp -m tcp --dport 2333 -j DNAT --to-destination "
                            "[fd00:17::10]:22") for a in result["actions"]), result["actions"]
    v6 = host.sh("ip6tables-%s-save" % backend).stdout
    assert "-A FORWARD -j CNET-USER" in v6 and "-A CNET-F-cnet0 -i cnet0 -o cnet0 -j DROP" in v6
    assert "MASQUERADE" not in v6.replace("--ctstate DNAT -j MASQUERADE", "")  # no egress masquerade by default
    assert ask(host, None, h1, 2333, member="fabric") == topology.FABRIC_ADDRESS6
    assert ask(host, None, h1, 2333, member="h2") == h2
    assert ask(host, None, h1, 2334, member="fabric") == topology.FABRIC_ADDRESS6
    assert ask(host, None, h1, 2334, member="h2") is None  # not in allow (an IPv6 list: IPv4 takes no one)
    v4_h1 = host.lab["hosts"][0]["address"]
    assert ask(host, None, v4_h1, 2334, member="fabric") is None  # the same entry over IPv4: its list has none
    assert ask(host, "api", "fd00:17::10", 22) is None  # icc off, IPv6 too
    # egress: routed as it is; with masquerade6 the host's address
    out = serve_fabric(host, 8080)
    try:
        subprocess.run(fleet.exec_argv(host.lab["name"], "fabric", ["ip", "-6", "route", "replace", "fd00:17::/64",
                                                                    "via", h1]), check=True)
        assert ask(host, "web", topology.FABRIC_ADDRESS6, 8080) == "fd00:17::10"
        host.converge("iptables_nat", dict(net, masquerade6=True))
        assert ask(host, "web", topology.FABRIC_ADDRESS6, 8080) == h1
    finally:
        out.kill()
        out.wait()
        subprocess.run(fleet.exec_argv(host.lab["name"], "fabric", ["ip", "-6", "route", "del", "fd00:17::/64"]),
                       check=False)
    # IPv4 unchanged beside it; without subnet6 the IPv6 chains go, the IPv4 ones stay
    assert ask(host, None, v4_h1, 2333, member="fabric") == topology.FABRIC_ADDRESS
    v4only = dict(net, subnet6=None, publish=[dict(p, address6=None) for p in net["publish"]])
    host.converge("iptables_nat", v4only)
    assert "CNET" not in host.sh("ip6tables-%s-save" % backend).stdout
    assert ask(host, None, h1, 2333, member="fabric") is None


RACE = """
import subprocess, sys
from ansible_collections.cnet.linux.plugins.module_utils.core import engine
from ansible_collections.cnet.linux.plugins.module_utils.resources.nat import NatNetworks

class Racing(NatNetworks):
    def plan(self, view):  # someone else's rule appears between our reading and our writing
        plan = super().plan(view)
        subprocess.run(["iptables-%s" % sys.argv[1], "-A", "HOSTFW", "-j", "CNET-F-cnet0"], check=True)
        return plan

try:
    engine.converge(Racing.from_params({"networks": [], "purge": True, "backend": sys.argv[1]}))
except engine.EngineError as exc:
    print("failed:", exc)
"""


def test_a_table_that_fails_takes_back_the_tables_before_it(nat):
    """The tables are committed in turn by one iptables-restore; when filter fails, raw and nat (committed
    before it) are put back, so the host is as before the run - not half torn down."""
    host, backend = nat
    host.converge("iptables_nat", dict(WEB, backend=backend))
    # a foreign rule that uses a chain the run would remove: refused before anything is changed
    host.sh("iptables-%s -A HOSTFW -j CNET-F-cnet0" % backend)
    before = save(host, backend)
    result = host.run("iptables_nat", {"networks": [], "purge": True, "backend": backend}, expect_fail=True)
    assert "chain CNET-F-cnet0 is to be removed but a rule that is not the collection's jumps to it: " \
        "'-A HOSTFW -j CNET-F-cnet0'" in result["msg"]
    assert save(host, backend) == before
    # the same rule appearing after the plan was made (a race): filter fails in the restore, raw and nat
    # had been committed and are restored
    host.sh("iptables-%s -D HOSTFW -j CNET-F-cnet0" % backend)
    before = save(host, backend)
    argv = ["env", "PYTHONPATH=%s/.collections" % modrun.REPO, host.python, "-c", RACE, backend]
    res = subprocess.run(fleet.exec_argv(host.lab["name"], host.name, argv), capture_output=True, text=True,
                         timeout=60, check=False)
    assert res.stdout.startswith("failed:") and "(tables raw, nat, filter) failed" in res.stdout, (res.stdout, res.stderr)
    assert "table raw, nat, committed before it, put back as it was" in res.stdout
    host.sh("iptables-%s -D HOSTFW -j CNET-F-cnet0" % backend)
    assert save(host, backend) == before
    assert ask(host, None, host.lab["hosts"][0]["address"], 2333, member="fabric") == topology.FABRIC_ADDRESS


@pytest.mark.parametrize("bad, words", [
    ({"publish": [{"address": "172.17.0.10", "ports": ["8000-8009:80"]}]}, "ranges of the same size"),
    ({"publish": [{"address": "10.0.0.5", "ports": ["80:80"]}]}, "not in the network's subnet"),
    ({"publish": [{"address": "172.17.0.10", "ports": ["80:80", "0.0.0.0:80:81"]}]}, "published twice"),
    ({"publish": [{"address": "172.17.0.10", "ports": ["80:80/sctp"]}]}, "use tcp or udp"),
    ({"internal": True, "publish": [{"address": "172.17.0.10", "ports": ["80:80"]}]}, "internal network cannot"),
    ({"subnet": "fd00::/64"}, "not IPv4"),
])
def test_bad_input_fails_clearly_and_changes_nothing(make_lab, bad, words):
    lab = make_lab(1)
    host = modrun.Host(lab, "h1", modrun.PYTHONS["pyroute2-0.7"])
    before = host.sh("iptables-save").stdout
    result = host.run("iptables_nat", dict({"bridge": "cnet0", "subnet": "172.17.0.0/16"}, **bad), expect_fail=True)
    assert words in result["msg"] and "Traceback" not in result["msg"]
    assert host.sh("iptables-save").stdout == before


def test_per_bridge_netfilter_keeps_isolation_with_the_host_wide_switch_off(nat):
    """bridge netfilter: true (the bridge's nf_call_iptables/ip6tables) with the host-wide bridge-nf-call sysctls
    off, as the host role's host_bridge_netfilter: per_bridge sets them: the collection's bridge still filters its
    bridged frames (icc off, a published port reached from its own bridge), and a foreign bridge's frames no
    longer pass iptables (this FORWARD policy is DROP: with the host-wide switch on they would be dropped)."""
    host, backend = nat
    h1 = host.lab["hosts"][0]["address"]
    host.sh("sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0")
    host.converge("iptables_nat", {"networks": [dict(WEB, icc=False)], "backend": backend, "bridge_netfilter": "bridge"})
    assert host.sh("sysctl -n net.bridge.bridge-nf-call-iptables").stdout.strip() == "0"  # left alone
    assert ask(host, "api", "172.17.0.10", 22) == "172.17.0.11"  # bridged past the rules: icc off is not enforced
    result = host.converge("bridge", {"name": "cnet0", "addresses": ["172.17.0.1/16"], "netfilter": True})
    assert result["actions"] == ["ip link set cnet0 type bridge nf_call_iptables 1 nf_call_ip6tables 1"]
    data = host.ipj("-d", "link", "show", "cnet0")[0]["linkinfo"]["info_data"]
    assert data["nf_call_iptables"] == 1 and data["nf_call_ip6tables"] == 1
    assert ask(host, "api", "172.17.0.10", 22) is None           # icc off again
    assert ask(host, "api", h1, 2333) == "172.17.0.1"           # the published port from its own bridge (hairpin)
    host.sh("ip link add br-user type bridge && ip link set br-user up && ip netns add u1 && ip netns add u2")
    for i, ns in enumerate(("u1", "u2")):
        host.sh("ip link add vu%d type veth peer name eth0 netns %s && ip link set vu%d master br-user up && "
                "ip -n %s addr add 10.88.0.%d/24 dev eth0 && ip -n %s link set eth0 up" % (i, ns, i, ns, i + 1, ns))
    serve(host, "u2", "tcp", 22)
    assert ask(host, "u1", "10.88.0.2", 22) == "10.88.0.1"      # the foreign bridge: no netfilter pass
    host.sh("sysctl -qw net.bridge.bridge-nf-call-iptables=1")
    assert ask(host, "u1", "10.88.0.2", 22) is None             # with the host-wide switch on: FORWARD DROP
