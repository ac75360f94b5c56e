"""A real container runtime in a cnet.linux sandbox: runc (Debian's package) runs an OCI container whose config
joins the sandbox's network namespace (examples/runc/container.yml); the published port reaches its server."""

import json
import os
import subprocess

from .conftest import run_in
from .test_playbooks import BRIDGE, REPO, inventory, playbook

EXAMPLE = os.path.join(REPO, "examples", "runc", "container.yml")


def example(inv, *extra):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".collections"))
    argv = [os.path.join(REPO, ".venv", "bin", "ansible-playbook")] + inv + [EXAMPLE, "-e", "cnet_runc_hosts=h1"]
    return subprocess.run(argv + list(extra), env=env, cwd=REPO, capture_output=True, text=True, timeout=300,
                          check=False)


def curl(lab, member, *argv):
    return run_in(lab, member, "curl", "-s", "-m", "5", *argv, check=False)


def test_a_runc_container_in_a_sandbox_serves_its_published_port(make_lab, tmp_path):
    lab = make_lab(2)
    front = {"name": "front", "driver": "bridge", "subnet": "172.20.0.0/24"}
    inv = inventory(tmp_path, lab, [BRIDGE, front], {
        "h1": [{"name": "web", "networks": [{"name": "bridge", "ipv4": "172.17.0.2"}, {"name": "front", "aliases": ["www"]}],
                "publish": ["2333:22"]}, {"name": "db", "network": "front"}],
        "h2": [{"name": "api", "network": "bridge"}]})
    res = playbook("site.yml", inv)
    assert res.returncode == 0, res.stdout + res.stderr
    res = example(inv)
    assert res.returncode == 0, res.stdout + res.stderr
    state = json.loads(run_in(lab, "h1", "runc", "state", "web-httpd").stdout)
    assert state["status"] == "running"
    # the container joined the sandbox's namespace (runc made none of its own)
    assert run_in(lab, "h1", "stat", "-L", "-c", "%i", "/proc/%d/ns/net" % state["pid"], "/run/netns/web") \
        .stdout.split() == [run_in(lab, "h1", "stat", "-L", "-c", "%i", "/run/netns/web").stdout.strip()] * 2
    # the fabric reaches its server through the published port, and the server sees the client's own address
    assert curl(lab, "fabric", "http://192.0.2.11:2333/cgi-bin/who").stdout.strip() == \
        "runc container web-httpd in sandbox web on h1, client 192.0.2.1"
    # another host's container: out through its own host's masquerade, in through h1's published port
    answer = run_in(lab, "h2", "ip", "netns", "exec", "api", "curl", "-s", "-m", "5",
                    "http://192.0.2.11:2333/cgi-bin/who", check=False).stdout.strip()
    assert answer == "runc container web-httpd in sandbox web on h1, client 192.0.2.12"
    # the sandbox's name files are the container's /etc/hosts and /etc/resolv.conf: its own names resolve
    runc_exec = ["runc", "exec", "web-httpd", "/bin/busybox"]
    for name in ("hosts", "resolv.conf"):
        assert run_in(lab, "h1", *runc_exec, "cat", "/etc/" + name).stdout == \
            run_in(lab, "h1", "cat", "/etc/netns/web/" + name).stdout
    assert run_in(lab, "h1", *runc_exec, "wget", "-q", "-O-", "http://www:22/index.html").stdout == \
        "runc container web-httpd in sandbox web\n"
    assert "\tdb\n" in run_in(lab, "h1", *runc_exec, "cat", "/etc/hosts").stdout
    again = example(inv)
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout
    res = example(inv, "-e", "cnet_runc_state=absent")
    assert res.returncode == 0, res.stdout + res.stderr
    assert run_in(lab, "h1", "runc", "list", "-q").stdout.strip() == ""
    assert run_in(lab, "h1", "ls", "/run/cnet-runc").stdout.strip() == ""
    assert curl(lab, "fabric", "http://192.0.2.11:2333/").returncode != 0
