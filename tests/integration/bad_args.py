"""Property-based bad arguments for every module, run inside one lab host (tests/integration/test_bad_args.py
starts it there): each case is checked by the module's own argument spec as Ansible checks it, then run
through the engine for real. A case either converges (and is cleaned up), or fails with an InputError naming
one of its fields - or, if the kernel or a tool refused it, an EngineError/ToolError after rolling back. Never
another exception, and after any failure the host is exactly as before: links, addresses, routes, namespaces,
iptables of both backends, sysctls.

Usage: python bad_args.py MODULE EXAMPLES  (prints one JSON line of counts; exits non-zero on a finding)
"""

import importlib
import json
import os
import shutil
import subprocess
import sys
import time

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from hypothesis import HealthCheck, given, settings, strategies as st
from lab import hoststate

from ansible_collections.cnet.linux.plugins.module_utils.core.engine import converge
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import EngineError, InputError, ToolError

STATE_DIR = "/var/lib/cnet"
SYSCTLS = ("net/ipv4/ip_forward", "net/bridge/bridge-nf-call-iptables", "net/ipv4/conf/all/route_localnet")

# One valid call per module, single-object and list form; every case mutates one of them
BASES = {
    "netns": [{"name": "ba1", "hosts": [{"address": "10.77.0.2", "names": ["web"]}], "dns": {"servers": ["10.77.0.1"]}},
              {"namespaces": [{"name": "ba1", "hosts_include": ["n"], "dns": {}}, {"name": "ba2", "container": "ba1"}],
               "hosts_tables": {"n": [{"address": "10.77.0.3", "names": ["db", "pg"]}]}, "purge": False}],
    "veth": [{"netns": "ba1", "name": "bav1", "addresses": ["10.77.0.2/24"], "gateway": "10.77.0.1", "mtu": 1400},
             {"pairs": [{"netns": "ba1", "peer": "eth1", "addresses": ["10.77.0.3/24"],
                         "routes": [{"dest": "10.78.0.0/16", "via": "10.77.0.1"}]}], "network": "n", "purge": True}],
    "bridge": [{"name": "babr0", "addresses": ["10.77.0.1/24"], "mtu": 1500},
               {"bridges": [{"name": "babr0", "addresses": ["10.77.0.1/24"], "stp": False, "network": "n"}]}],
    "iptables_nat": [{"bridge": "babr0", "subnet": "10.77.0.0/24", "publish": [{"address": "10.77.0.2",
                                                                                "ports": ["2333:22"]}]},
                     {"networks": [{"bridge": "babr0", "subnet": "10.77.0.0/24", "icc": False}], "purge": True},
                     {"networks": [{"bridge": "babr0", "subnet": "10.77.0.0/24", "subnet6": "fd00:77::/64",
                                    "masquerade6": True,
                                    "publish": [{"address": "10.77.0.2", "address6": "fd00:77::2", "ports": ["80:80"],
                                                 "allow": ["192.0.2.0/24", "2001:db8::/32"]}]}]}],
    "vxlan_overlay": [{"name": "o", "vni": 42, "local": "192.0.2.11", "lease": "10.99.1.0/24",
                       "peers": [{"address": "192.0.2.12", "lease": "10.99.2.0/24"}]},
                      {"name": "o", "vni": 43, "mode": "l2", "local": "192.0.2.11", "bridge": "babr0",
                       "peers": [{"address": "192.0.2.12", "endpoints": [{"ip": "10.77.0.9", "mac": "02:42:0a:4d:00:09"}]}]}],
    "macvlan": [{"netns": "ba1", "name": "eth1", "network": "n", "parent": "eth0", "addresses": ["192.0.2.77/24"],
                 "gateway": "192.0.2.1", "mac": "02:42:c0:00:02:4d"},
                {"endpoints": [{"netns": "ba1", "addresses": ["192.0.2.78/24", "fd00:77::2/64"], "mode": "private"},
                               {"name": "cm-n", "addresses": ["192.0.2.79/32"], "routes": [{"dest": "192.0.2.78/32"}]}],
                 "network": "n", "parent": "eth0", "purge_networks": ["n"]}],
    "host_gw": [{"name": "g", "subnet": "10.99.0.0/16", "lease": "10.99.1.0/24",
                 "peers": [{"address": "192.0.2.12", "lease": "10.99.2.0/24"}]},
                {"overlays": [{"name": "g", "subnet": "10.99.0.0/16", "lease": "10.99.1.0/24", "peers": []}]}],
    "wireguard": [{"name": "wgba", "network": "n", "port": 51900, "address": "169.254.77.1/24", "mtu": 1380,
                   "peers": [{"public_key": "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", "endpoint": "192.0.2.12",
                              "address": "169.254.77.2"}]},
                  {"tunnels": [{"name": "wgba", "network": "n", "port": 51900, "address": "169.254.77.1/24"}],
                   "purge": True}],
    "wireguard_key": [{"name": "backend", "epoch": 1},
                      {"keys": [{"name": "backend"}, {"name": "other", "epoch": 2, "state": "absent"}], "purge": True}],
    "host_settings": [{"sysctls": {"net.ipv4.ip_forward": 1}},
                      {"modules": ["bridge"], "sysctls": {"net/ipv4/conf/all/route_localnet": "0"}}],
}
# What the base calls need to exist first (made with the modules themselves): a namespace, a bridge
SETUP = [("netns", {"name": "ba1"}), ("bridge", {"name": "babr0", "mtu": 1500, "addresses": []})]

TRICKY = ["", " ", "a", "eth0", "lo", "x" * 16, "a/b", "a:b", "..", "-", "ba1", "babr0", "10.77.0.2", "10.77.0.2/24",
          "10.77.0.0/24", "0.0.0.0/0", "default", "default6", "fd00::1/64", "fe80::1", "::", "300.1.1.1/24",
          "10.77.0.2/33", "02:42:0a:4d:00:09", "01:00:5e:00:00:01", "00:00:00:00:00:00", "zz:zz", "2333:22",
          "70000:1", "1-3:1-2", "127.0.0.1:80:80/udp", "80:80/sctp", "present", "absent", "l2", "l3", "nft",
          "legacy", "\u00e9th0", "a\nb", "1e9", "-1", "4789",
          # a value that would add a line to a file or a rule: refused, naming the field (issue 29)
          "fe80::1%eth0", "fd00::1%x\n-A INPUT -j ACCEPT/64", "10.77.0.2\nnameserver 6.6.6.6", "a\u2028b", "a\rb",
          "10.77.0.0/24\u0085", "web\tdb"]
# sysctl names for host_settings: this host's namespace's (net.*), one of another namespace, others' (kernel.*)
SYSCTL_NAMES = ["net.ipv4.ip_forward", "net/ipv4/conf/all/route_localnet", "net.ipv4.conf.eth0.forwarding",
                "net.ipv4.conf.nosuch0.forwarding", "net.ipv4", "net..ipv4", "kernel.hostname", "net/../kernel/hostname"]
scalars = st.one_of(st.sampled_from(TRICKY), st.text(max_size=18), st.integers(-2 ** 33, 2 ** 33),
                    st.sampled_from([0, 1, 67, 68, 1280, 1400, 65535, 65536, 4095, 16777215, 16777216]),
                    st.booleans(), st.none(), st.floats(allow_nan=False, allow_infinity=False))
anything = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.sampled_from(TRICKY + ["name", "ip", "mac",
                                                                                                   "dest", "via"]),
                                                                         inner, max_size=3)), max_leaves=5)


def spec_of(module):
    """The module's argument spec and keyword arguments, as its main() passes them to ansible_glue.run."""
    mod = importlib.import_module("ansible_collections.cnet.linux.plugins.modules." + module)
    caught = {}

    def capture(resource_cls, argument_spec, **kwargs):
        caught.update(cls=resource_cls, spec=argument_spec, kwargs=kwargs)

    mod.run = capture
    mod.main()
    return caught


def value_for(option):
    """A value of the option's type most of the time (so the engine sees it), anything now and then."""
    kind = option.get("type", "str")
    typed = {"str": st.one_of(st.sampled_from(TRICKY), st.text(max_size=18)),
             "int": st.one_of(st.integers(-2 ** 33, 2 ** 33), st.sampled_from([0, 1, 67, 68, 1400, 65535, 65536])),
             "bool": st.booleans(),
             "dict": st.dictionaries(st.sampled_from(TRICKY + SYSCTL_NAMES), scalars, max_size=2)}.get(kind)
    if option.get("choices"):
        typed = st.sampled_from(option["choices"])
    if kind == "list":
        if option.get("options"):
            typed = st.lists(st.fixed_dictionaries({}, optional=dict(
                (k, value_for(o)) for k, o in option["options"].items())), max_size=3)
        else:
            typed = st.lists(value_for({"type": option.get("elements", "str")}), max_size=3)
    return st.one_of(typed, typed, typed, anything) if typed is not None else anything


@st.composite
def cases(draw, module, spec):
    params = json.loads(json.dumps(draw(st.sampled_from(BASES[module]))))
    for _round in range(draw(st.integers(1, 2))):
        lists = [k for k, v in params.items() if isinstance(v, list) and any(isinstance(x, dict) for x in v)
                 and (spec.get(k) or {}).get("options")]
        if lists and draw(st.booleans()):  # into an item of a list option (pairs, bridges, peers, ...)
            key = draw(st.sampled_from(lists))
            item = draw(st.sampled_from([x for x in params[key] if isinstance(x, dict)]))
            options = spec[key]["options"]
            sub = draw(st.sampled_from(sorted(set(options) | set(str(k) for k in item))))
            item[sub] = draw(value_for(options.get(sub, {})))
        else:
            key = draw(st.sampled_from(sorted(spec)))
            params[key] = draw(value_for(spec[key]))
    return params


def run(*argv, check=True):
    return subprocess.run(argv, capture_output=True, text=True, check=check).stdout


def netns_names():
    return sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else []


def host_state():
    """What a failed case must leave as it was."""
    links = []
    for ns in [None] + netns_names():
        for link in json.loads(run(*(["ip"] + (["-n", ns] if ns else []) + ["-j", "-d", "link"]))):
            links.append((ns, link["ifname"], (link.get("linkinfo") or {}).get("info_kind"), link.get("mtu"),
                          link.get("ifalias"), link.get("master"), link.get("address"), "UP" in link.get("flags", [])))
    # the kernel's own IPv6 link-local addresses and routes come and go with a link's state and MTU (below
    # 1280 a link loses its IPv6 set-up, back above it gets it anew): not something a run writes
    addrs = [(ns, link["ifname"], a["local"], a["prefixlen"]) for ns in [None] + netns_names()
             for link in json.loads(run(*(["ip"] + (["-n", ns] if ns else []) + ["-j", "addr"])))
             for a in link.get("addr_info", []) if not a["local"].startswith("fe80:")]
    routes = [ln for ln in run("ip", "route", "show", "table", "all").splitlines() + run(
        "ip", "-6", "route", "show", "table", "all").splitlines() if "fe80::" not in ln and "ff00::/8" not in ln]
    keys = os.path.join(STATE_DIR, "wireguard")
    state = {"links": sorted(links, key=str), "addrs": sorted(addrs, key=str), "routes": sorted(set(routes)),
             "netns": netns_names(), "files": etc_netns_files(),
             "keys": sorted(os.listdir(keys)) if os.path.isdir(keys) else None}
    for tool in ("iptables-nft-save", "iptables-legacy-save", "ip6tables-nft-save", "ip6tables-legacy-save"):
        # an empty table with ACCEPT policies is no rule
        state[tool] = hoststate.rules(run(tool))
    for key in SYSCTLS:
        with open("/proc/sys/" + key) as handle:
            state[key] = handle.read()
    return state


def etc_netns_files():
    """{path: text} of the sandboxes' name files (/etc/netns is this lab host's own)."""
    out = {}
    for root, _dirs, names in os.walk("/etc/netns"):
        for name in names:
            with open(os.path.join(root, name)) as handle:
                out[os.path.join(root, name)] = handle.read()
    return out


def call(caught, params):
    """Validate params as Ansible would, then converge: (result, None) or (None, the spec's messages)."""
    result = ArgumentSpecValidator(dict(caught["spec"], state_dir={"type": "path", "default": STATE_DIR}),
                                   **caught["kwargs"]).validate(params)
    if result.error_messages:
        return None, result.error_messages
    resource = caught["cls"].from_params(result.validated_parameters)
    return converge(resource, check=False, state_dir=STATE_DIR, diff=True), None


def clean(baseline_sysctls, mac):
    """Back to the base: every namespace, link (but lo and eth0), rule and record of this lab host goes, the base
    objects are made again (babr0 with its MAC of before). Only this lab host's namespaces and directories."""
    for name in netns_names():
        run("ip", "netns", "del", name, check=False)
    for link in json.loads(run("ip", "-j", "link")):
        if link["ifname"] not in ("lo", "eth0"):
            run("ip", "link", "del", link["ifname"], check=False)
    run("ip", "route", "flush", "proto", "147", check=False)  # host_gw's routes (on eth0, which stays)
    for save, tool in (("iptables-nft-save", "iptables-nft"), ("iptables-legacy-save", "iptables-legacy"),
                       ("ip6tables-nft-save", "ip6tables-nft"), ("ip6tables-legacy-save", "ip6tables-legacy")):
        for table in [ln[1:] for ln in run(save).splitlines() if ln.startswith("*")]:
            run(tool, "-t", table, "-F", check=False)
            run(tool, "-t", table, "-X", check=False)
    for key, value in baseline_sysctls.items():
        with open("/proc/sys/" + key, "w") as handle:
            handle.write(value)
    for name in os.listdir(STATE_DIR):
        path = os.path.join(STATE_DIR, name)
        if os.path.isfile(path) and name != "lock":
            os.unlink(path)
    shutil.rmtree(os.path.join(STATE_DIR, "wireguard"), ignore_errors=True)
    for name in os.listdir("/etc/netns") if os.path.isdir("/etc/netns") else ():
        shutil.rmtree(os.path.join("/etc/netns", name))
    setup(mac)


def setup(mac=None):
    for module, params in SETUP:
        call(spec_of(module), params)
    if mac:
        run("ip", "link", "set", "babr0", "address", mac)


def fields(value, out=None):
    """Every key of a case, at any depth."""
    out = set() if out is None else out
    if isinstance(value, dict):
        for key, sub in value.items():
            out.add(str(key))
            fields(sub, out)
    elif isinstance(value, list):
        for sub in value:
            fields(sub, out)
    return out


def main():
    module, examples = sys.argv[1], int(sys.argv[2])
    setup()
    for _try in range(100):  # the fresh eth0's IPv6 link-local address settles (its local route appears then)
        if "fe80::" in run("ip", "-6", "route", "show", "table", "local") and "tentative" not in run("ip", "-6", "addr"):
            break
        time.sleep(0.1)
    caught = spec_of(module)
    spec = caught["spec"]
    counts = {"cases": 0, "refused by the argument spec": 0, "refused (InputError)": 0, "converged": 0,
              "failed and rolled back": 0}
    baseline = host_state()
    sysctls = dict((k, baseline[k]) for k in SYSCTLS)
    mac = json.loads(run("ip", "-j", "link", "show", "babr0"))[0]["address"]
    findings = []

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(cases(module, spec))
    def case(params):
        counts["cases"] += 1
        outcome = None
        try:
            _result, refused = call(caught, params)
            if refused:
                counts["refused by the argument spec"] += 1
                return
            counts["converged"] += 1
            clean(sysctls, mac)
        except InputError as exc:
            counts["refused (InputError)"] += 1
            if not any(name in str(exc) for name in fields(params)):
                outcome = "InputError names none of the case's fields: %s" % exc
        except (EngineError, ToolError) as exc:
            counts["failed and rolled back"] += 1
        except Exception as exc:  # pylint: disable=broad-except
            outcome = "%s: %s" % (type(exc).__name__, exc)
        after = host_state()
        if after != baseline:
            outcome = ((outcome or "") + " host changed: %s" % dict(
                (k, {"before": baseline[k], "after": after[k]}) for k in after if after[k] != baseline[k])).strip()
            clean(sysctls, mac)
        if outcome:
            findings.append({"params": params, "finding": outcome})
            raise AssertionError(outcome)

    try:
        case()
    except AssertionError:
        pass
    print(json.dumps({"module": module, "counts": counts, "findings": findings[-1:]}, default=str))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
