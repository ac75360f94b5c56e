"""Fixtures for tests on a real kernel: labs that go away afterwards, and a guard on the root namespace."""

import itertools
import os
import re
import subprocess

import pytest

from lab import fleet

PREFIX = "it"
_counter = itertools.count(1)


def root_network_snapshot():
    """What this machine's own network looks like, minus counters: links, addresses, routes,
    named namespaces, iptables rules and forwarding sysctls of the root namespace."""

    def out(*argv):
        res = subprocess.run(argv, capture_output=True, text=True, check=False)
        return res.stdout if res.returncode == 0 else "<%s failed>" % argv[0]

    rules = re.sub(r"\[\d+:\d+\]", "", "\n".join(
        line for line in out("iptables-save").splitlines() if not line.startswith("#")))
    sysctls = {}
    for key in ("net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding"):
        with open("/proc/sys/" + key) as f:
            sysctls[key] = f.read().strip()
    return {
        "links": out("ip", "-o", "link"),
        "addresses": out("ip", "-o", "addr"),
        "routes": out("ip", "route", "show", "table", "all"),
        "ipv6 routes": out("ip", "-6", "route", "show", "table", "all"),
        "named namespaces": out("ip", "netns", "list"),
        "iptables": rules,
        "sysctls": sysctls,
    }


@pytest.fixture(scope="session", autouse=True)
def root_namespace_untouched():
    if os.geteuid() != 0:
        pytest.skip("integration tests need root")
    for name in fleet.names():
        if name.startswith(PREFIX + "-") and fleet.is_stale(name):
            fleet.down(name)  # left by a crashed earlier run
    before = root_network_snapshot()
    yield
    after = root_network_snapshot()
    changed = [key for key in before if before[key] != after[key]]
    assert not changed, "the tests changed this machine's own network: %s" % changed


@pytest.fixture
def make_lab():
    """make_lab(n, routed=False) -> state; every lab is taken down after the test, and by its
    reaper if the test process dies."""
    made = []

    def make(count, routed=False):
        name = "%s-%d-%d" % (PREFIX, os.getpid() % 10000, next(_counter))
        made.append(name)
        return fleet.up(name, count, routed=routed, owner=os.getpid())

    yield make
    for name in made:
        fleet.down(name)


def run_in(lab, member, *argv, check=True, timeout=30):
    """Run a command inside a lab member's namespaces; return the CompletedProcess."""
    res = subprocess.run(fleet.exec_argv(lab["name"], member, argv), capture_output=True, text=True,
                         timeout=timeout, check=False)
    if check and res.returncode != 0:
        raise AssertionError("%s in %s failed: %s" % (" ".join(argv), member, res.stderr or res.stdout))
    return res


def venv_bin(tool):
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(here, ".venv", "bin", tool)
    return path if os.path.exists(path) else tool
