"""cnet.linux.netns on a lab host: real namespaces, checked with ip -j and inode numbers."""

import json
import os
import subprocess

from lab import fleet

from .modrun import PYTHONS, shim


def inode(host, path):
    return host.sh("stat -L -c %i " + path).stdout.strip()


def netns_names(host):
    return sorted(entry["name"] for entry in host.ipj("netns", "list"))


def lo_up(host, ns):
    return "UP" in host.ipj("-n", ns, "link", "show", "lo")[0]["flags"]


def test_both_pyroute2_versions_are_really_used(make_lab):
    lab = make_lab(1)
    seen = {}
    for key, python in PYTHONS.items():
        argv = ["env", "PYTHONPATH=" + shim(), python, "-c", "import pyroute2; print(pyroute2.__file__)"]
        seen[key] = subprocess.run(fleet.exec_argv(lab["name"], "h1", argv), capture_output=True, text=True,
                                   check=True).stdout.strip()
    assert seen["pyroute2-0.7"].startswith("/usr/lib/python3/dist-packages/")
    assert "/.venv/" in seen["pyroute2-0.9"]


def test_create_check_idempotent(host):
    result = host.converge("netns", {"name": "test01"})
    assert result["actions"] == ["ip netns add test01", "ip -n test01 link set lo up alias 'cnet.linux:netns name=test01'"]
    assert result["diff"]["after"] == {"netns test01": {"kind": "create", "loopback": "up"}}
    assert netns_names(host) == ["test01"]
    assert lo_up(host, "test01")
    lo = host.ipj("-n", "test01", "-d", "link", "show", "lo")[0]
    assert lo["ifalias"] == "cnet.linux:netns name=test01"
    assert host.run("netns", {"name": "test01"})["changed"] is False


def test_every_mode_in_one_call(host):
    host.sh("unshare --net sleep 300 >/dev/null 2>&1 & echo $! > /tmp/job.pid; sleep 0.2")
    pid = int(host.sh("cat /tmp/job.pid").stdout)
    try:
        args = {"namespaces": [{"name": "sidecar", "container": "web"}, {"name": "web"},
                               {"name": "monitor", "host": True}, {"name": "job", "pid": pid},
                               {"name": "tools"}]}
        result = host.converge("netns", args)
        assert result["actions"][:2] == ["ip netns add web",  # web before its sidecar
                                         "ip -n web link set lo up alias 'cnet.linux:netns name=web'"]
        assert netns_names(host) == ["job", "monitor", "sidecar", "tools", "web"]
        assert inode(host, "/run/netns/sidecar") == inode(host, "/run/netns/web")
        assert inode(host, "/run/netns/job") == inode(host, "/proc/%d/ns/net" % pid)
        own = inode(host, "/proc/self/ns/net")
        assert inode(host, "/run/netns/monitor") == own
        # the module's namespace, not the machine's (which PID 1, and this test process, run in)
        assert int(own) != os.stat("/proc/self/ns/net").st_ino
        assert len({inode(host, "/run/netns/" + n) for n in ("web", "tools", "job", "monitor")}) == 4
        assert host.run("netns", args)["changed"] is False
    finally:
        host.sh("kill %d" % pid, check=False)


def test_drift_is_repaired(host):
    args = {"namespaces": [{"name": "web"}, {"name": "sidecar", "container": "web"}, {"name": "other"}]}
    host.converge("netns", args)
    host.sh("ip -n other link set lo down")
    host.sh("umount /run/netns/sidecar && mount --bind /run/netns/other /run/netns/sidecar")
    host.sh("ip netns delete web")
    predicted = host.run("netns", args, check=True)["actions"]
    assert predicted == ["ip netns add web", "ip -n web link set lo up alias 'cnet.linux:netns name=web'",
                         "ip netns delete sidecar",
                         "touch /run/netns/sidecar && mount --bind /run/netns/web /run/netns/sidecar",
                         "ip -n other link set lo up"]
    assert host.run("netns", args)["actions"] == predicted
    assert inode(host, "/run/netns/sidecar") == inode(host, "/run/netns/web")
    assert lo_up(host, "other") and lo_up(host, "web")
    assert host.run("netns", args, check=True)["changed"] is False


def test_absent_and_purge_touch_only_owned(host):
    host.sh("ip netns add foreign && ip -n foreign link set lo up")
    before = inode(host, "/run/netns/foreign")
    host.converge("netns", {"namespaces": [{"name": "a"}, {"name": "b"}]})
    result = host.converge("netns", {"namespaces": [{"name": "a"}], "purge": True})
    assert result["actions"] == ["ip netns delete b"]
    assert netns_names(host) == ["a", "foreign"]
    gone = host.run("netns", {"namespaces": [{"name": "a", "state": "absent"}, {"name": "foreign", "state": "absent"}]})
    assert gone["actions"] == ["ip netns delete a"]
    assert "namespace 'foreign' was not created by cnet.linux; left alone" in json.dumps(gone["warnings"])
    assert netns_names(host) == ["foreign"] and inode(host, "/run/netns/foreign") == before
    failed = host.run("netns", {"name": "foreign"}, expect_fail=True)
    assert "'foreign' exists and was not created by cnet.linux" in failed["msg"]


def test_bad_input_fails_clearly_and_leaves_nothing(host):
    cases = [
        ({"namespaces": [{"name": "ok1"}, {"name": "ghost", "pid": 999999}]}, "pid 999999 is not running"),
        ({"namespaces": [{"name": "ok1"}, {"name": "a/b"}]}, "namespaces[1].name: 'a/b' is not a legal namespace name"),
        ({"namespaces": [{"name": "ok1"}, {"name": "s", "container": "nowhere"}]}, "'nowhere', which does not exist"),
        ({"namespaces": [{"name": "x", "container": "y"}, {"name": "y", "container": "x"}]}, "form a loop"),
        ({"name": "x", "pid": 1, "host": True}, "mutually exclusive"),
        ({"namespaces": [{"name": "d"}, {"name": "d"}]}, "'d' is listed twice"),
    ]
    for args, message in cases:
        result = host.run("netns", args, expect_fail=True)
        assert message in result["msg"], (args, result["msg"])
        assert "Traceback" not in result["msg"]
    assert netns_names(host) == []
