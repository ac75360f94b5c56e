# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one namespace holds, as its dumps read it: plain data, so planner tests build one by hand."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class NsView:
    """Links by name, addresses by ifindex, main-table routes."""

    def __init__(self, links, addrs, routes):
        self.links = links
        self.by_index = dict((link["index"], link) for link in links.values())
        self.addrs = addrs
        self.routes = routes

    def link(self, name):
        return self.links.get(name)

    def name_of(self, index):
        link = self.by_index.get(index)
        return link["name"] if link else None

    def drop(self, name):
        """A link was removed or made anew: its entry is no longer right."""
        if name in self.links:
            self.by_index.pop(self.links.pop(name)["index"], None)
