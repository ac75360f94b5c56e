"""Normalization before comparing, and input errors that name the field and the fix."""

import pytest

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs as names
from ansible_collections.cnet.linux.plugins.module_utils.core import marks
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError


@pytest.mark.parametrize("raw, norm", [
    ("172.16.0.111/20", "172.16.0.111/20"),
    (" 10.0.0.1/8 ", "10.0.0.1/8"),
    ("FD00:0:0::0011/64", "fd00::11/64"),
    ("2001:DB8:0:0:0:0:0:1/128", "2001:db8::1/128"),
])
def test_addresses_are_canonical(raw, norm):
    assert names.address(raw, "f") == norm


def test_address_list_keeps_order_and_drops_equal_forms():
    assert names.addresses(["fd00::1/64", "FD00:0::1/64", "10.0.0.2/8"], "a") == ["fd00::1/64", "10.0.0.2/8"]


@pytest.mark.parametrize("raw, message", [
    ("172.16.0.111", "f: '172.16.0.111' needs a prefix length (like 172.16.0.111/24)"),
    ("172.16.0.300/20", "f: '172.16.0.300/20' is not an address with a prefix length"),
    ("10.0.0.1/33", "is not an address with a prefix length"),
])
def test_bad_addresses(raw, message):
    with pytest.raises(InputError) as err:
        names.address(raw, "f")
    assert message in str(err.value)


@pytest.mark.parametrize("raw, norm", [("default", "0.0.0.0/0"), ("default6", "::/0"), ("10.9.0.0/16", "10.9.0.0/16"),
                                       ("FD00::/8", "fd00::/8")])
def test_networks(raw, norm):
    assert names.network(raw, "f") == norm


def test_network_with_host_bits_suggests_the_fix():
    with pytest.raises(InputError) as err:
        names.network("10.1.2.3/16", "routes[0].dest")
    assert str(err.value) == "routes[0].dest: '10.1.2.3/16' has host bits set; did you mean 10.1.0.0/16?"


@pytest.mark.parametrize("raw", ["02:42:AC:11:00:02", "02-42-ac-11-00-02", "0242ac110002"])
def test_macs_are_lower_case_colon_form(raw):
    assert names.mac(raw, "m") == "02:42:ac:11:00:02"


@pytest.mark.parametrize("raw, message", [("01:00:5e:00:00:01", "multicast"), ("00:00:00:00:00:00", "all-zero"),
                                          ("02:42:ac:11:00", "not a MAC address"), ("02:42-ac:11:00:02", "not a MAC")])
def test_bad_macs(raw, message):
    with pytest.raises(InputError) as err:
        names.mac(raw, "m")
    assert message in str(err.value)


@pytest.mark.parametrize("raw, message", [
    ("a" * 16, "is 16 bytes; Linux interface names have at most 15"),
    ("ab/c", "not a legal interface name"), ("a b", "not a legal interface name"), ("a:b", "not a legal"),
    (".", "not a legal"), ("", "an interface name is required"), ("é" * 8, "is 16 bytes"),
])
def test_bad_interface_names(raw, message):
    with pytest.raises(InputError) as err:
        names.ifname(raw, "pairs[0].name")
    assert str(err.value).startswith("pairs[0].name: ") and message in str(err.value)


def test_derived_names_fit_and_do_not_collide():
    short = names.derived("cv", "web/eth0")
    assert short == names.derived("cv", "web/eth0") and len(short) <= 15
    long_a = names.derived("cv", "a-very-long-container-name-1/eth0")
    long_b = names.derived("cv", "a-very-long-container-name-2/eth0")
    assert len(long_a) <= 15 and len(long_b) <= 15 and long_a != long_b
    names.ifname(long_a, "derived")  # always a legal name


def test_marks_round_trip():
    mark = marks.make("veth", net="bridge", ctr="web", empty=None)
    assert mark == "cnet.linux:veth ctr=web net=bridge"
    assert marks.parse(mark) == ("veth", {"ctr": "web", "net": "bridge"})
    assert marks.owned(mark, "veth") and not marks.owned(mark, "bridge")
    assert marks.parse("docker0") is None and not marks.owned(None)
