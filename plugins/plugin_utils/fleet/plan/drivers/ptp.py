# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed 001's network, not Docker's: a container's own veth pair whose host end holds the gateway (one container
per host), no bridge; the chains accept the host end's traffic (FORWARD policy DROP)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet.plan.drivers import bridge


def network(alloc, net, me, parts):
    """No device of the host's own: the pair's host end is the host side."""


endpoint = bridge.endpoint  # an address of the subnet; the host end holds the gateway


def interface(alloc, net, me, item):
    item["host_addresses"] = ["%s/%d" % (net["gateway"], ipaddress.ip_network(net["subnet"]).prefixlen)]


def finish(alloc, net, me, parts):
    """The chains accept the traffic of the pairs' host ends (named as the veth part names them)."""
    parts.accept += [inputs.host_end(p["netns"], p["peer"]) for p in parts.pairs[net["name"]]]
