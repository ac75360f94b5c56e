"""cnet.linux.netns's name files on a lab host: /etc/netns/<name>/hosts and resolv.conf, read back from the
files and through the resolver inside the sandbox (getent under ip netns exec)."""

import json


def getent(host, ns, name, check=True):
    res = host.sh("ip netns exec %s getent hosts %s" % (ns, name), check=False)
    if check:
        assert res.returncode == 0, "%s does not resolve in %s: %s" % (name, ns, res.stderr)
    return res.stdout.split() if res.returncode == 0 else None


def read(host, path):
    res = host.sh("cat %s" % path, check=False)
    return res.stdout if res.returncode == 0 else None


TABLE = [{"address": "10.0.9.2", "names": ["web", "www"]}, {"address": "10.0.9.3", "names": ["db"]}]


def test_hosts_and_resolv_conf_resolve_inside_the_sandbox(host):
    args = {"namespaces": [{"name": "web", "hosts": [{"address": "10.0.9.2", "names": ["web"]}],
                            "hosts_include": ["net"], "dns": {"servers": ["192.0.2.53"], "search": ["lab.example"],
                                                              "options": ["ndots:2"]}},
                           {"name": "plain"}],
            "hosts_tables": {"net": TABLE}}
    result = host.converge("netns", args)
    assert result["actions"][2:4] == [
        "write /etc/netns/web/hosts: +10.0.9.2 web, +10.0.9.2 web www, +10.0.9.3 db",
        "write /etc/netns/web/resolv.conf: +nameserver 192.0.2.53, +search lab.example, +options ndots:2"]
    assert getent(host, "web", "db") == ["10.0.9.3", "db"]
    assert getent(host, "web", "www") == ["10.0.9.2", "web", "www"]  # the first line naming it
    resolv = read(host, "/etc/netns/web/resolv.conf")
    assert resolv.splitlines()[0].startswith("# cnet.linux:resolv netns=web")
    assert resolv.splitlines()[1:] == ["nameserver 192.0.2.53", "search lab.example", "options ndots:2"]
    assert host.sh("ip netns exec web cat /etc/resolv.conf").stdout == resolv
    assert read(host, "/etc/netns/plain/hosts") is None  # no names asked: no file

    # a container comes and goes: the file follows, in place (a process holding it sees the change)
    before = host.sh("stat -c %i /etc/netns/web/hosts").stdout
    args["hosts_tables"]["net"] = TABLE[:1] + [{"address": "10.0.9.4", "names": ["cache"]}]
    result = host.converge("netns", args)
    assert result["actions"] == ["update /etc/netns/web/hosts: +10.0.9.4 cache, -10.0.9.3 db"]
    assert host.sh("stat -c %i /etc/netns/web/hosts").stdout == before
    assert getent(host, "web", "cache") == ["10.0.9.4", "cache"]
    assert getent(host, "web", "db", check=False) is None

    # drift: an edit by hand is reported and undone
    host.sh("echo '10.6.6.6 evil' >> /etc/netns/web/hosts")
    drift = host.run("netns", args, check=True)
    assert drift["actions"] == ["update /etc/netns/web/hosts: -10.6.6.6 evil"]
    assert "+10.6.6.6" not in drift["diff"]["after"]["file /etc/netns/web/hosts"]
    host.converge("netns", args)

    # removal takes the files (and the directory) with the namespace
    result = host.converge("netns", {"namespaces": [{"name": "plain"}], "purge": True})
    assert result["actions"] == ["ip netns delete web", "rm /etc/netns/web/hosts", "rm /etc/netns/web/resolv.conf"]
    assert host.sh("ls -A /etc/netns").stdout == ""


def test_the_host_resolvers_when_none_are_given_and_foreign_files_are_left_alone(host):
    host.sh("mkdir -p /etc/netns/mine && echo '10.1.1.1 theirs' > /etc/netns/mine/hosts")
    result = host.converge("netns", {"namespaces": [{"name": "mine", "hosts": [], "dns": {}}]})
    assert "/etc/netns/mine/hosts was not written by cnet.linux" in json.dumps(result["warnings"])
    assert read(host, "/etc/netns/mine/hosts") == "10.1.1.1 theirs\n"
    host_servers = [line.split()[1] for line in read(host, "/etc/resolv.conf").splitlines()
                    if line.startswith("nameserver") and not line.split()[1].startswith("127.")]
    resolv = read(host, "/etc/netns/mine/resolv.conf").splitlines()
    assert [line.split()[1] for line in resolv if line.startswith("nameserver")] == (host_servers or ["8.8.8.8", "8.8.4.4"])
    result = host.converge("netns", {"name": "mine", "state": "absent"})
    assert result["actions"] == ["ip netns delete mine", "rm /etc/netns/mine/resolv.conf"]
    assert read(host, "/etc/netns/mine/hosts") == "10.1.1.1 theirs\n"
    host.sh("rm -r /etc/netns/mine")


def test_bad_names_fail_before_anything_is_made(host):
    result = host.run("netns", {"namespaces": [{"name": "x", "hosts": [{"address": "10.0.0.1", "names": ["a b"]}]}]},
                      expect_fail=True)
    assert "namespaces[0].hosts[0].names[0]: 'a b' is not a host name" in result["msg"]
    result = host.run("netns", {"namespaces": [{"name": "x", "hosts_include": ["nope"]}], "hosts_tables": {}},
                      expect_fail=True)
    assert "hosts_include names 'nope', which hosts_tables does not have" in result["msg"]
    result = host.run("netns", {"name": "x", "dns": {"servers": ["1.1.1.1", "1.0.0.1", "8.8.8.8", "9.9.9.9"]}},
                      expect_fail=True)
    assert "a resolver reads at most 3" in result["msg"]
    assert host.ipj("netns", "list") == []
    assert host.sh("ls -A /etc/netns").stdout == ""
