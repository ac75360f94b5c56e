"""Engine properties on a real host: the per-host lock, and the engine outside Ansible."""

import json
import subprocess
import threading
import time

from lab import fleet

from .modrun import REPO


def test_runs_on_one_host_wait_for_the_lock(host):
    host.sh("mkdir -p /var/lib/cnet && (flock /var/lib/cnet/lock sleep 1.5 >/dev/null 2>&1 &) ; sleep 0.2")
    start = time.monotonic()
    result = host.run("netns", {"name": "locked"})
    assert time.monotonic() - start >= 1.2  # it waited for the holder instead of racing it
    assert result["actions"][0] == "ip netns add locked"


def test_concurrent_runs_serialize_and_both_succeed(host):
    results = {}

    def run(key, names):
        results[key] = host.run("netns", {"namespaces": [{"name": n} for n in names]})
    threads = [threading.Thread(target=run, args=(k, ["a", "b", "c", k])) for k in ("x", "y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = sorted(results["x"]["actions"] + results["y"]["actions"])
    assert made.count("ip netns add a") == 1 and made.count("ip netns add x") == 1  # the second saw the first's work
    assert sorted(e["name"] for e in host.ipj("netns", "list")) == ["a", "b", "c", "x", "y"]


def test_engine_runs_without_ansible(host):
    """The same converge() a module calls, from plain Python (what a boot unit will do)."""
    code = ("import json; from ansible_collections.cnet.linux.plugins.module_utils.core import engine;"
            "from ansible_collections.cnet.linux.plugins.module_utils.resources.bridge import Bridge;"
            "import sys; r = engine.converge(Bridge.from_params({'name': 'b0', 'addresses': ['10.1.0.1/24']}));"
            "r['ansible_imported'] = sorted(m for m in sys.modules if m.split('.')[0] == 'ansible');"
            "print(json.dumps(r))")
    argv = ["env", "PYTHONPATH=%s/.collections" % REPO, host.python, "-c", code]  # no ansible on the path
    out = subprocess.run(fleet.exec_argv(host.lab["name"], host.name, argv), capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["ansible_imported"] == []  # the venv's Python could import ansible: prove it did not
    assert result["actions"][0] == "ip link add b0 address 02:42:0a:01:00:01 type bridge stp_state 0"
    assert host.ipj("addr", "show", "dev", "b0")[0]["addr_info"][0]["local"] == "10.1.0.1"


SEVERAL = """
import json
from ansible_collections.cnet.linux.plugins.module_utils.core import engine
from ansible_collections.cnet.linux.plugins.module_utils.resources.bridge import Bridge
from ansible_collections.cnet.linux.plugins.module_utils.resources.netns import Netns
from ansible_collections.cnet.linux.plugins.module_utils.resources.veth import Veth


def resources():
    return [Netns.from_params({"name": "web"}),
            Bridge.from_params({"name": "b1", "addresses": ["10.3.0.1/24"]}),
            Veth.from_params({"bridge": "b1", "pairs": [{"netns": "web", "addresses": ["10.3.0.2/24"],
                                                          "gateway": "10.3.0.1"}]})]


print(json.dumps([engine.converge_all(resources()), engine.converge_all(resources())]))
"""


def test_one_engine_call_converges_several_resources(host):
    """Namespace, bridge and pair in one call (one lock, one context): each resource sees what the one before
    it made, and the second call finds nothing to do."""
    argv = ["env", "PYTHONPATH=%s/.collections" % REPO, host.python, "-c", SEVERAL]
    out = subprocess.run(fleet.exec_argv(host.lab["name"], host.name, argv), capture_output=True, text=True, check=True)
    first, second = json.loads(out.stdout)
    assert [r["changed"] for r in first["results"]] == [True, True, True] and first["changed"]
    assert first["results"][2]["actions"][0].startswith("ip link add cv")  # the pair found the new namespace and bridge
    assert second["changed"] is False and [r["netlink_writes"] for r in second["results"]] == [0, 0, 0]
    addrs = host.ipj("-n", "web", "addr", "show", "dev", "eth0")[0]["addr_info"]
    assert [a["local"] for a in addrs if a["family"] == "inet"] == ["10.3.0.2"]
    host.sh("ip netns exec web ping -c1 -W2 10.3.0.1")
