"""The VM lab's pure parts: the guests' QEMU command lines, the image's cache key, host-state comparison."""

from lab import hoststate, image, topology, vm

IMG = {"kernel": "/c/vmlinuz", "initrd": "/c/initrd.img", "disk": "/c/root.ext4", "key": "/c/id_ed25519"}


def test_each_guest_gets_its_name_address_and_a_tap_on_the_fabric_bridge():
    lab = topology.plan("vm", 2)
    lines = vm.fabric_batch(lab)
    assert lines == ["tuntap add dev h1 mode tap", "link set h1 master ua up",
                     "tuntap add dev h2 mode tap", "link set h2 master ua up"]
    # the fabric's own lines with no veth pairs to namespace hosts
    assert not [ln for ln in topology.fabric_batch(lab, None) if "veth" in ln]
    argv = vm.qemu_argv(IMG, lab["hosts"][1], 2, "/l/h2/disk.qcow2", "/l/h2/console.log", "tcg")
    append = argv[argv.index("-append") + 1].split()
    assert {"systemd.hostname=h2", "cnet.ip=192.0.2.12/24", "cnet.gw=192.0.2.1", "net.ifnames=0"} <= set(append)
    assert "tap,id=underlay,ifname=h2,script=no,downscript=no" in argv
    assert "virtio-net-pci,netdev=underlay,mac=52:54:00:c0:02:0c" in argv
    assert argv[argv.index("-accel") + 1].startswith("tcg") and "kvm" not in argv
    kvm = vm.qemu_argv(IMG, lab["hosts"][0], 1, "/l/h1/disk.qcow2", "/l/h1/console.log", "kvm")
    assert kvm[kvm.index("-accel") + 1] == "kvm" and kvm[kvm.index("-cpu") + 1] == "host"
    # a reboot is a cold boot: QEMU exits on the guest's reset and the loop starts it again, console appended
    looped = vm.supervised(argv)
    assert looped[:2] == ["sh", "-c"] and looped[4:-1] == argv and looped[-1] == "-no-reboot"
    assert "file,id=console,path=/l/h2/console.log,append=on" in argv


def test_ssh_into_a_guest_quotes_the_command_for_its_shell():
    argv = vm.ssh_argv("/l", "/c/id", "192.0.2.11", ["sh", "-c", "ip netns; echo 'a b'"])
    assert argv[-1] == "sh -c 'ip netns; echo '\"'\"'a b'\"'\"''"
    assert "ProxyCommand=/l/proxy %h %p" in argv


def test_the_image_is_keyed_by_its_recipe(monkeypatch):
    key = image.recipe_key()
    monkeypatch.setattr(image, "PACKAGES", image.PACKAGES + ["tcpdump"])
    assert image.recipe_key() != key


def test_iptables_rules_compare_without_counters_and_empty_builtin_chains():
    never = ""
    empty = "*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [3:180]\nCOMMIT\n*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n"
    assert hoststate.rules(never) == hoststate.rules(empty) == []
    ours = "*nat\n:PREROUTING ACCEPT [9:9]\n:CNET-N - [0:0]\n-A PREROUTING -j CNET-N\n*filter\n:FORWARD DROP [1:1]\nCOMMIT\n"
    assert hoststate.rules(ours) == ["nat chain CNET-N", "nat -A PREROUTING -j CNET-N", "filter policy FORWARD DROP"]
    diff = hoststate.compare({"iptables-nft": hoststate.rules(never)}, {"iptables-nft": hoststate.rules(ours)})
    assert diff == {"iptables-nft": {"gone": [], "new": sorted(hoststate.rules(ours))}}
