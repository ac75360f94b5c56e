# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Encrypted overlays (Docker's --opt encrypted) with WireGuard: each host of the overlay has a WireGuard
device with a tunnel address, and the overlay's VXLAN traffic goes between the tunnel addresses, inside it.

WireguardKeys (cnet.linux.wireguard_key) makes and keeps this host's key pair of each overlay
(files.wg_keys: the private key never leaves the host), rotated when the inventory raises its epoch, and returns
the public keys (the fleet plan hands them to the other hosts).

Wireguard (cnet.linux.wireguard) converges the device: made with the mark 'cnet.linux:wireguard net=<network>',
its private key set from the key file (never in a plan's arguments), its listen port, MTU and tunnel address,
and its peers - each other host's public key, underlay endpoint and tunnel address (its only allowed IP). The
peer set is authoritative: a peer not listed is removed, a changed one updated, in one request each, as mirror
images. Absent removes the device and the key file.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs, marks
from ansible_collections.cnet.linux.plugins.module_utils.core.action import Action
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.module_utils.core.ops import merged, registry
from ansible_collections.cnet.linux.plugins.module_utils.files import wg_keys
from ansible_collections.cnet.linux.plugins.module_utils.netlink import encode, ops, sockets, wireguard
from ansible_collections.cnet.linux.plugins.module_utils.resources.base import Resource, View
from ansible_collections.cnet.linux.plugins.module_utils.resources.links import addr_actions, link_del, link_set, \
    remove_link

WG_OPS = {}
op = registry(WG_OPS)
DEFAULT_PORT = 51820


def _key_of(ctx, network):
    key = wg_keys.read(ctx.state_dir, network)
    if key is None:
        raise InputError("no WireGuard key for network '%s' in %s; make it first (cnet.linux.wireguard_key)"
                         % (network, wg_keys.directory(ctx.state_dir)))
    return key


# operations: what needs the key file (the resources layer may read files and speak netlink)

@op("wg_key_new")
def wg_key_new(ctx, network, epoch):
    old = wg_keys.read(ctx.state_dir, network)
    key = {"private_key": wg_keys.generate(), "epoch": epoch}
    wg_keys.write(ctx.state_dir, network, key)
    ctx.extra.setdefault("public_keys", {})[network] = wg_keys.public_key(key["private_key"])
    if old is None:
        return Action(("wireguard_key", network), "wg_key_del", "rm %s" % wg_keys.path(ctx.state_dir, network),
                      network=network)
    return None  # a rotated key is not put back: the old one may be known to nobody any more


@op("wg_key_del")
def wg_key_del(ctx, network):
    wg_keys.remove(ctx.state_dir, network)
    ctx.extra.get("public_keys", {}).pop(network, None)


@op("wg_add")
def wg_add(ctx, name, mtu):
    nl = sockets.of(ctx)
    nl.drop(None, name)
    nl.send(None, encode.wireguard_add(name, mtu))
    return link_del(("wireguard", name), None, name)


@op("wg_set")
def wg_set(ctx, name, network=None, listen_port=None, peers=None):
    """One WG_CMD_SET_DEVICE: the private key from the network's key file when network is given."""
    nl = sockets.of(ctx)
    sock, family = nl.wireguard(None)
    key = _key_of(ctx, network)["private_key"] if network else None
    nl.wrote(None)
    sock.request(*wireguard.set_device(family, name, private_key=key, listen_port=listen_port, peers=peers))


class WireguardKeys(Resource):
    KIND = "wireguard_key"
    ITEMS = "keys"
    FIELD = "key"
    UNIQUE = ((("name",), "keys: '%s' is listed twice"),)
    OPS = WG_OPS

    @classmethod
    def normalize(cls, raw, field, state, defaults=None):
        name = wg_keys.network_name(raw.get("name"), field + ".name")
        epoch = raw.get("epoch") or 0
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
            raise InputError("%s.epoch: %r is not a whole number of 0 or more (raise it to rotate the key)" % (field, epoch))
        return {"name": name, "epoch": epoch, "state": inputs.state(raw, field, state)}

    @classmethod
    def options_of(cls, params):
        return {"purge": bool(params.get("purge"))}

    def remember(self, record):
        return False  # nothing for a boot-time restore to replay: the key files are on disk

    def observe(self, ctx):
        names = set(self.by_key) | (set(wg_keys.names(ctx.state_dir)) if self.purge else set())
        kept = dict((name, wg_keys.read(ctx.state_dir, name)) for name in sorted(names))
        ctx.extra["public_keys"] = dict((name, wg_keys.public_key(key["private_key"])) for name, key in kept.items()
                                        if key is not None and name in self.by_key
                                        and self.by_key[name]["state"] == "present")
        return View(ctx.check, kept=kept, path=lambda name: wg_keys.path(ctx.state_dir, name))

    def present(self, view, item):
        key, obj = view.kept.get(item["name"]), ("wireguard_key", item["name"])
        if key is None or key["epoch"] < item["epoch"]:
            why = "new" if key is None else "rotated: epoch %d -> %d" % (key["epoch"], item["epoch"])
            return [Action(obj, "wg_key_new", "wg genkey > %s  # %s" % (view.path(item["name"]), why),
                           network=item["name"], epoch=item["epoch"])]
        if key["epoch"] > item["epoch"]:
            view.warn("the WireGuard key of '%s' is of epoch %d, above the %d asked; it is kept (a key is never "
                      "rotated back)" % (item["name"], key["epoch"], item["epoch"]))
        return []

    def absent(self, view, item):
        if view.kept.get(item["name"]) is None:
            return []
        return [Action(("wireguard_key", item["name"]), "wg_key_del", "rm %s" % view.path(item["name"]),
                       network=item["name"])]

    def purged(self, view):
        return [Action(("wireguard_key", name), "wg_key_del", "rm %s" % view.path(name), network=name)
                for name, key in sorted(view.kept.items()) if self.purge and name not in self.by_key and key]

    def before(self, view, key):
        kept = view.kept.get(key[1])
        return {"epoch": kept["epoch"], "public_key": wg_keys.public_key(kept["private_key"])} if kept else None

    def after(self, view, key):
        item = self.by_key.get(key[1])
        if item is None or item["state"] == "absent":
            return None
        old = self.before(view, key)
        if old is not None and old["epoch"] >= item["epoch"]:
            return old
        return {"epoch": item["epoch"], "public_key": "(a new key)"}


def _normalize(raw, field, default_state):
    if not raw.get("network"):
        raise InputError("%s.network: the overlay network's name is required (its key file is named for it)" % field)
    name = wg_keys.network_name(raw.get("network"), field + ".network")
    device = inputs.ifname(raw.get("name"), field + ".name") if raw.get("name") else None
    if not device:
        raise InputError("%s.name: the WireGuard device's name is required (e.g. wg4096)" % field)
    item = {"name": device, "network": name, "state": inputs.state(raw, field, default_state)}
    if item["state"] == "absent":
        return dict(item, port=None, address=None, mtu=None, peers=[])
    port = raw.get("port") or DEFAULT_PORT
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InputError("%s.port: %r is not a UDP port (1..65535)" % (field, port))
    address = inputs.address(raw.get("address"), field + ".address") if raw.get("address") else None
    if address is None or inputs.version_of(address) != 4:
        raise InputError("%s.address: the device's IPv4 tunnel address with its prefix is required (169.254.1.1/24)"
                         % field)
    mtu = inputs.mtu(raw["mtu"], field + ".mtu") if raw.get("mtu") is not None else None
    net = ipaddress.ip_interface(address).network
    peers, seen = [], {}
    for i, peer in enumerate(raw.get("peers") or []):
        at = "%s.peers[%d]" % (field, i)
        if not isinstance(peer, dict) or not peer.get("public_key") or not peer.get("endpoint") \
                or not peer.get("address"):
            raise InputError("%s: needs public_key (base64), endpoint (the peer's underlay IPv4 address) and address "
                             "(its tunnel address)" % at)
        try:
            inputs.wireguard_key(peer["public_key"])
        except (ValueError, TypeError):
            raise InputError("%s.public_key: %r is not a WireGuard key (44 characters of base64)"
                             % (at, peer["public_key"]))
        tunnel = inputs.ip(peer["address"], at + ".address", 4)
        if ipaddress.ip_address(tunnel) not in net or tunnel == address.split("/")[0]:
            raise InputError("%s.address: %s is not another address of the tunnel's %s" % (at, tunnel, net))
        for key in (peer["public_key"], tunnel):
            if key in seen:
                raise InputError("%s: %s is also peer %d's" % (at, key, seen[key]))
            seen[key] = i
        peers.append({"public_key": peer["public_key"], "endpoint": inputs.ip(peer["endpoint"], at + ".endpoint", 4),
                      "port": port, "allowed_ips": ["%s/32" % tunnel], "keepalive": 0})
    return dict(item, port=port, address=address, mtu=mtu, peers=sorted(peers, key=lambda p: p["public_key"]))


class Wireguard(Resource):
    KIND = "wireguard"
    ITEMS = "tunnels"
    FIELD = "tunnel"
    UNIQUE = ((("name",), "tunnels: device '%s' is listed twice"),
              (("network",), "tunnels: network '%s' has two devices"))
    OPS = merged(ops.OPS, WG_OPS)

    @classmethod
    def normalize(cls, raw, field, state, defaults=None):
        return _normalize(raw, field, state)

    @classmethod
    def single(cls, params, state):
        """One tunnel by its top-level options: it needs its name (tunnels given as null is no list)."""
        if not params.get("name"):
            raise InputError("name: the WireGuard device's name is required, or give tunnels (a list; [] with purge "
                             "removes every tunnel of the collection)")
        return Resource.single.__func__(cls, params, state)

    @classmethod
    def options_of(cls, params):
        return {"purge": bool(params.get("purge"))}

    def observe(self, ctx):
        nl = sockets.of(ctx)
        host = nl.view(None)
        # every key file read once: this call's networks' public keys, and which files exist (for purge)
        stored = dict((name, wg_keys.read(ctx.state_dir, name))
                      for name in set(wg_keys.names(ctx.state_dir)) | set(item["network"] for item in self.items))
        kept = dict((name, key is not None) for name, key in stored.items())
        keys, devices = {}, {}
        for item in self.items:
            if item["state"] != "present":
                continue
            key = stored[item["network"]]
            keys[item["network"]] = wg_keys.public_key(key["private_key"]) if key else None
            link = host.link(item["name"])
            if link is not None and link["kind"] == "wireguard":
                sock, family = nl.wireguard(None)
                msg_type, _flags, body = wireguard.get_device(family, item["name"])
                devices[item["name"]] = wireguard.merged(sock.dump(msg_type, body, wireguard.parse_device))
        if keys and not ctx.check:
            nl.wireguard(None)  # a kernel without WireGuard fails here, before anything is made, saying so
        return View(ctx.check, host=host, devices=devices, keys=keys, kept=kept,
                    path=lambda name: wg_keys.path(ctx.state_dir, name))

    def _mark(self, item):
        return marks.make("wireguard", net=item["network"])

    def present(self, view, item):
        name, obj = item["name"], ("wireguard", item["name"])
        link = view.host.link(name)
        out = []
        if link is not None and not (link["kind"] == "wireguard" and marks.owned(link["alias"], "wireguard")):
            raise InputError("tunnels: interface '%s' exists and was not created by cnet.linux; pick another name" % name)
        if view.keys.get(item["network"]) is None and not view.check:
            raise InputError("tunnels: no WireGuard key for network '%s' (%s); make it first (cnet.linux.wireguard_key)"
                             % (item["network"], view.path(item["network"])))
        if link is None:
            out.append(Action(obj, "wg_add", "ip link add %s%s type wireguard" % (
                name, " mtu %d" % item["mtu"] if item["mtu"] else ""), name=name, mtu=item["mtu"])
                .making(None, name, self._mark(item)))
        device = view.devices.get(name) or {"public_key": None, "listen_port": None, "peers": []}
        if device["public_key"] != view.keys.get(item["network"]) or device["listen_port"] != item["port"]:
            out.append(Action(obj, "wg_set", "wg set %s listen-port %d private-key %s" % (
                name, item["port"], view.path(item["network"])), name=name, network=item["network"],
                listen_port=item["port"]))
        out += self._peers(obj, item, device)
        change = []
        if link is not None and item["mtu"] and link["mtu"] != item["mtu"]:
            change.append(("mtu", item["mtu"], "mtu %d" % item["mtu"]))
        if link is None or link["alias"] != self._mark(item):
            change.append(("ifalias", self._mark(item), "alias '%s'" % self._mark(item)))
        if link is None or not link["up"]:
            change.append(("state", "up", "up"))
        if change:
            out.append(link_set(obj, None, name, change, link))
        have = view.host.addrs.get(link["index"], set()) if link is not None else set()
        return out + addr_actions(obj, None, name, have, [item["address"]], link is not None)

    def _peers(self, obj, item, device):
        """Removals first, then each new or changed peer: one request each (mirror images)."""
        have = dict((p["public_key"], p) for p in device["peers"])
        want = dict((p["public_key"], p) for p in item["peers"])
        out = []
        for key in sorted(set(have) - set(want)):
            out.append(Action(obj, "wg_set", "wg set %s peer %s remove" % (item["name"], key), name=item["name"],
                              peers=[{"public_key": key, "remove": True}]))
        for key, peer in sorted(want.items()):
            old = have.get(key)
            if old is None or (old["endpoint"], old["port"], old["allowed_ips"]) != \
                    (peer["endpoint"], peer["port"], peer["allowed_ips"]):
                out.append(Action(obj, "wg_set", "wg set %s peer %s endpoint %s:%d allowed-ips %s" % (
                    item["name"], key, peer["endpoint"], peer["port"], ",".join(peer["allowed_ips"])),
                    name=item["name"], peers=[peer]))
        return out

    def absent(self, view, item):
        out = remove_link(view, "wireguard", item["name"])
        if view.kept.get(item["network"]):
            out.append(Action(("wireguard_key", item["network"]), "wg_key_del", "rm %s" % view.path(item["network"]),
                              network=item["network"]))
        return out

    def purged(self, view):
        out = []
        if self.purge:
            for name, link in sorted(view.host.links.items()):
                mark = marks.parse(link["alias"])
                if link["kind"] == "wireguard" and mark and mark[0] == "wireguard" and name not in self.by_key:
                    out.append(link_del(("wireguard", name), None, name))
            wanted = set(item["network"] for item in self.items)
            out += [Action(("wireguard_key", net), "wg_key_del", "rm %s" % view.path(net), network=net)
                    for net in sorted(view.kept) if net not in wanted]
        return out

    def before(self, view, key):
        if key[0] == "wireguard_key":
            return {"kept": True} if view.kept.get(key[1]) else None
        link = view.host.link(key[1])
        if link is None:
            return None
        device = view.devices.get(key[1]) or {}
        return {"mtu": link["mtu"], "up": link["up"], "addresses": sorted(view.host.addrs.get(link["index"], set())),
                "listen_port": device.get("listen_port"), "public_key": device.get("public_key"),
                "peers": dict((p["public_key"], "%s:%s %s" % (p["endpoint"], p["port"], ",".join(p["allowed_ips"])))
                              for p in device.get("peers") or [])}

    def after(self, view, key):
        item = self.by_key.get(key[1]) if key[0] == "wireguard" else None
        if item is None or item["state"] == "absent":
            return None
        out = self.before(view, key) or {}
        out.update(up=True, addresses=[item["address"]], listen_port=item["port"],
                   public_key=view.keys.get(item["network"]) or "(this host's key)",
                   peers=dict((p["public_key"], "%s:%s %s" % (p["endpoint"], p["port"], ",".join(p["allowed_ips"])))
                              for p in item["peers"]))
        if item["mtu"]:
            out["mtu"] = item["mtu"]
        return out
