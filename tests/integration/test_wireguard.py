"""Encrypted overlays on lab hosts: the WireGuard keys (made on the host, kept there 0600, rotated by epoch,
only the public key returned). This machine's kernel has no WireGuard: the device itself is refused with the
reason and nothing made; molecule's vm scenario, whose guests' kernel has WireGuard, runs the encrypted overlay
for real (traffic inside the tunnel, plain VXLAN from a peer dropped)."""

import json

import pytest

from .conftest import run_in
from .modrun import PYTHONS, Host


def kernel_has_wireguard():
    from ansible_collections.cnet.linux.plugins.module_utils import hostinfo
    return hostinfo.kernel_has("wireguard")


@pytest.mark.parametrize("python", sorted(PYTHONS))
def test_keys_are_made_on_the_host_kept_private_and_rotated_by_epoch(make_lab, python):
    lab = make_lab(1)
    host = Host(lab, "h1", PYTHONS[python])
    first = host.converge("wireguard_key", {"name": "backend"})
    assert first["actions"] == ["wg genkey > /var/lib/cnet/wireguard/backend.json  # new"]
    public = first["public_keys"]["backend"]
    assert len(public) == 44 and public.endswith("=")
    kept = json.loads(run_in(lab, "h1", "cat", "/var/lib/cnet/wireguard/backend.json").stdout)
    assert kept["epoch"] == 0 and kept["private_key"] != public
    assert run_in(lab, "h1", "stat", "-c", "%a", "/var/lib/cnet/wireguard/backend.json",
                  "/var/lib/cnet/wireguard").stdout.split() == ["600", "700"]
    assert kept["private_key"] not in json.dumps(first)  # the private key is in no result
    check = host.run("wireguard_key", {"name": "backend"}, check=True)
    assert check["public_keys"] == {"backend": public} and check["actions"] == []
    rotated = host.converge("wireguard_key", {"name": "backend", "epoch": 1})
    assert rotated["actions"] == ["wg genkey > /var/lib/cnet/wireguard/backend.json  # rotated: epoch 0 -> 1"]
    assert rotated["public_keys"]["backend"] != public
    back = host.run("wireguard_key", {"name": "backend", "epoch": 0})
    assert back["actions"] == [] and "never rotated back" in json.dumps(back["warnings"])
    gone = host.converge("wireguard_key", {"keys": [], "purge": True})
    assert gone["actions"] == ["rm /var/lib/cnet/wireguard/backend.json"] and gone["public_keys"] == {}
    assert run_in(lab, "h1", "ls", "/var/lib/cnet/wireguard", check=False).returncode != 0


def test_without_wireguard_in_the_kernel_the_device_is_refused_and_nothing_made(make_lab):
    if kernel_has_wireguard():
        pytest.skip("this kernel has WireGuard; the refusal is for kernels without it")
    lab = make_lab(1)
    host = Host(lab, "h1", PYTHONS["pyroute2-0.9"])
    host.run("wireguard_key", {"name": "backend"})
    peer = {"public_key": "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", "endpoint": "192.0.2.12",
            "address": "169.254.16.2"}
    result = host.run("wireguard", {"name": "wg4096", "network": "backend", "address": "169.254.16.1/24",
                                    "peers": [peer]}, expect_fail=True)
    assert "this kernel has no WireGuard" in result["msg"], result["msg"]
    assert [link["ifname"] for link in host.ipj("link")] == ["lo", "eth0"]


def test_site_yml_refuses_an_encrypted_overlay_where_the_kernel_has_no_wireguard(make_lab, tmp_path):
    if kernel_has_wireguard():
        pytest.skip("this kernel has WireGuard; the refusal is for kernels without it")
    from lab import hoststate

    from .test_playbooks import inventory, playbook
    from .test_trust import settled

    lab = make_lab(2)
    net = {"name": "secret", "driver": "overlay", "vni": 4098, "subnet": "10.246.0.0/16", "encrypted": True}
    before = settled(lab, "h1")
    inv = inventory(tmp_path, lab, [net], {"h1": [{"name": "c1", "network": "secret"}]})
    res = playbook("site.yml", inv)
    assert res.returncode != 0
    assert "the encrypted overlay secret needs WireGuard, which this host's kernel does not have" in res.stdout, \
        res.stdout[-3000:]
    assert hoststate.compare(before, settled(lab, "h1")) == {}  # no key made, nothing else either
