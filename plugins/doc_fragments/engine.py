# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  state_dir:
    description:
      - The collection's state directory on the managed host. It holds the per-host lock that makes two
        runs on one host wait for each other, and the records of what the collection made.
    type: path
    default: /var/lib/cnet
attributes:
  check_mode:
    support: full
    description: Check mode computes the same plan a real run would apply and reports it without applying it.
  diff_mode:
    support: full
    description: The diff shows, for each object the plan changes, its state before and after.
  platform:
    description: Linux only (network namespaces, netlink).
    support: full
    platforms: linux
requirements:
  - Linux with network namespaces, run as root.
notes:
  - Every run observes the host with one netlink dump per network namespace it touches, plans a list of
    actions, and applies them in order. The RV(actions) result lists each change as the equivalent
    C(ip) command. If an action fails, what the run had created is removed again and the error names the
    failed action and the reason.
  - Objects the collection creates carry an ownership mark (the interface alias
    C(cnet.linux:<kind> ...), route protocol 147). Objects without the mark are never changed or removed.
'''
