# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every resource kind, in the order a host is built: namespaces, bridges, pairs (into both), the macvlan
devices (on the host's interfaces, inside the namespaces), the rules on the bridges, the encrypted overlays'
WireGuard devices, the overlays (an l2 overlay's device joins its bridge; an encrypted one's rides
WireGuard), the host-gw overlays' routes. What a restore replays by kind."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cnet.linux.plugins.module_utils.resources.bridge import Bridge
from ansible_collections.cnet.linux.plugins.module_utils.resources.host_gw import HostGw
from ansible_collections.cnet.linux.plugins.module_utils.resources.macvlan import Macvlan
from ansible_collections.cnet.linux.plugins.module_utils.resources.nat import NatNetworks
from ansible_collections.cnet.linux.plugins.module_utils.resources.netns import Netns
from ansible_collections.cnet.linux.plugins.module_utils.resources.veth import Veth
from ansible_collections.cnet.linux.plugins.module_utils.resources.vxlan.overlay import VxlanOverlay
from ansible_collections.cnet.linux.plugins.module_utils.resources.wireguard import Wireguard

ORDER = (Netns, Bridge, Veth, Macvlan, NatNetworks, Wireguard, VxlanOverlay, HostGw)
KINDS = dict((cls.KIND, cls) for cls in ORDER)
