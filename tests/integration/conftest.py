"""Fixtures for tests on a real kernel: labs that go away afterwards, and a guard on the root namespace."""

import itertools
import os
import subprocess

import pytest

from lab import fleet, rootnet

from . import modrun

PREFIX = "it"
_counter = itertools.count(1)


@pytest.fixture(scope="session", autouse=True)
def root_namespace_untouched():
    if os.geteuid() != 0:
        pytest.skip("integration tests need root")
    for name in fleet.names():
        if name.startswith(PREFIX + "-") and fleet.is_stale(name):
            fleet.down(name)  # left by a crashed earlier run
    before = rootnet.snapshot()
    yield
    changed = rootnet.changed(before, rootnet.snapshot())
    assert not changed, "the tests changed this machine's own network: %s" % changed


@pytest.fixture
def make_lab():
    """make_lab(n, routed=False, mtu=1500) -> state; every lab is taken down after the test, and by its
    reaper if the test process dies."""
    made = []

    def make(count, routed=False, mtu=1500):
        name = "%s-%d-%d" % (PREFIX, os.getpid() % 10000, next(_counter))
        made.append(name)
        return fleet.up(name, count, routed=routed, owner=os.getpid(), mtu=mtu)

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


@pytest.fixture(params=sorted(modrun.PYTHONS), ids=sorted(modrun.PYTHONS))
def python(request):
    path = modrun.PYTHONS[request.param]
    if not os.path.exists(path):
        pytest.fail("%s is missing (run scripts/setup)" % path)
    return path


@pytest.fixture
def host(make_lab, python):
    """h1 of a fresh one-host lab, with modules run under each managed-host Python."""
    lab = make_lab(1)
    return modrun.Host(lab, "h1", python)
