"""Published-port parsing, the iptables edit script and the rules of a network, without a kernel."""

import pytest

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.resources.nat import NatNetworks
from ansible_collections.cnet.linux.plugins.module_utils.xtables import nat_layout as nat_rules
from ansible_collections.cnet.linux.plugins.module_utils.xtables import ports
from ansible_collections.cnet.linux.plugins.module_utils.xtables import saverestore as xtables

normalize = NatNetworks.normalize


def test_port_specs_expand_like_docker():
    assert ports.parse("2333:22", "p") == [{"host_ip": None, "family": None, "host_port": 2333, "port": 22,
                                            "proto": "tcp"}]
    assert ports.parse("127.0.0.1:8053:53/udp", "p")[0]["host_ip"] == "127.0.0.1"
    assert [m["port"] for m in ports.parse("8000-8002:80-82", "p")] == [80, 81, 82]
    assert [(m["host_ip"], m["family"]) for m in ports.parse("0.0.0.0:80:80", "p")] == [(None, 4)]
    assert [(m["host_ip"], m["family"]) for m in ports.parse("[2001:DB8::1]:80:80", "p")] == [("2001:db8::1", 6)]
    assert [(m["host_ip"], m["family"]) for m in ports.parse("[::]:80:80", "p")] == [(None, 6)]


@pytest.mark.parametrize("spec, words", [("80", "host_port:container_port"), ("70000:80", "1-65535"),
                                         ("8000-8001:80", "same size"), ("80:80/icmp", "tcp or udp"),
                                         ("1.2.3:80:80", "not an IP address"),
                                         ("[1.2.3.4]:80:80", "IPv6 host address in brackets")])
def test_bad_port_specs_name_the_field(spec, words):
    with pytest.raises(InputError) as err:
        ports.parse(spec, "publish[0].ports[0]")
    assert words in str(err.value) and "publish[0].ports[0]" in str(err.value)


def apply(current, lines):
    """What iptables-restore does with -D n / -I n / -A lines on one chain."""
    rules = list(current)
    for line in lines:
        op, _chain, rest = line.split(" ", 2)
        if op == "-D":
            del rules[int(rest) - 1]
        elif op == "-I":
            pos, rule = rest.split(" ", 1)
            rules.insert(int(pos) - 1, rule)
        else:
            rules.append(rest)
    return rules


@pytest.mark.parametrize("current, desired", [
    ([], ["a", "b", "c"]), (["a", "b", "c"], []), (["a", "b", "c"], ["a", "x", "c"]),
    (["a", "b", "c", "d"], ["d", "c", "b", "a"]), (["x", "a", "y", "b"], ["a", "b", "z"]),
    (["a", "b"], ["a", "b"]), (["a"] * 3, ["a", "b", "a"])])
def test_chain_edits_reach_the_desired_order_with_positions_as_observed(current, desired):
    lines, words = xtables.chain_edits("nat", "C", current, desired)
    assert apply(current, lines) == desired
    assert (lines == []) == (current == desired) and len(words) >= (current != desired)


def test_a_network_in_docker_29_layout():
    net = normalize({"bridge": "cnet0", "subnet": "172.17.0.0/16",
                     "publish": [{"address": "172.17.0.10", "ports": ["2333:22"]}]}, "n", "present")
    chains = nat_rules.network_chains(net)
    assert chains["N"] == ["-p tcp -m tcp --dport 2333 -j DNAT --to-destination 172.17.0.10:22"]
    assert chains["F"][-3:] == ["! -i cnet0 -o cnet0 -j DROP", "-i cnet0 -o cnet0 -j ACCEPT", "-i cnet0 ! -o cnet0 -j ACCEPT"]
    assert chains["P"][-1] == "-s 172.17.0.0/16 ! -o cnet0 -j MASQUERADE"
    shared = nat_rules.shared_chains({"b2": chains, "b1": {"F": []}})
    assert shared["CNET-FORWARD"] == ["-o b1 -j CNET-F-b1", "-o b2 -j CNET-F-b2", "-i b1 -j CNET-F-b1", "-i b2 -j CNET-F-b2"]
    assert nat_rules.of_chain("CNET-F-my-br") == ("F", "my-br") and nat_rules.of_chain("CNET-FORWARD") is None


def test_the_rules_of_a_published_port_read_back_as_its_mapping():
    """Flows are flushed by the mapping a kernel rule publishes: the renderer's own inverse, for every form."""
    for family, m in ((4, {"host_ip": None, "proto": "tcp", "host_port": 2333, "address": "172.17.0.2", "port": 22}),
                      (4, {"host_ip": "127.0.0.1", "proto": "udp", "host_port": 8053, "address": "10.1.0.9",
                           "port": 53}),
                      (6, {"host_ip": "2001:db8::1", "proto": "tcp", "host_port": 8080, "address": "fd00::2",
                           "port": 80}),
                      (6, {"host_ip": None, "proto": "udp", "host_port": 9, "address": "fd00::3", "port": 9})):
        assert nat_rules.dnat_mapping(nat_rules.dnat_rule(m, family)) == m
        for source, orig in ((None, False), ("192.0.2.0/24", True)):
            seen = nat_rules.accepted_mapping(nat_rules.accept_rule(m, "cnet0", family, source, orig))
            assert seen == {"address": m["address"], "proto": m["proto"], "port": m["port"],
                            "host_port": m["host_port"] if orig else None}
    assert nat_rules.dnat_mapping("-s 10.0.0.0/8 -j MASQUERADE") is None
    assert nat_rules.accepted_mapping("-o cnet0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT") is None
