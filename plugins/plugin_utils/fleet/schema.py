# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of the inventory's keys and value types, from the key table (keys.py, docs/roles.md). A key the
collection does not know is an error naming it, with the nearest valid key, never ignored: a typo ('gatway')
would otherwise leave the user believing a setting is in force that is not.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib

from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError
from ansible_collections.cnet.linux.plugins.plugin_utils.fleet import keys

NETWORK = dict((driver, keys.of("network", driver)) for driver in keys.DRIVERS)
CONTAINER = keys.of("container")
ATTACHMENT = keys.of("attachment")
# a network's driver_opts (Docker's names), by driver -> (our key, kind of value)
DRIVER_OPTS = keys.driver_opts()
# The inventory's own variables (a near miss such as 'cnet_container' is an error, other cnet_* names are not)
VARIABLES = ("cnet_networks", "cnet_containers", "cnet_overlay_leases", "cnet_underlay_address", "cnet_underlay_mtu",
             "cnet_forward_policy")
# Keys a Docker or compose user writes that mean something else here, or are not built yet
SYNONYMS = keys.synonyms()
NOT_YET = keys.NOT_YET
# Expected types: (python types, words); a whole number may also come as a string of digits (templating)
TYPES = keys.types()


def nearest(key, allowed):
    """'; did you mean 'x'?' for a near miss (or a known synonym), else ''."""
    if SYNONYMS.get(key) in allowed:
        return "; did you mean '%s'?" % SYNONYMS[key]
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return "; did you mean '%s'?" % close[0] if close else ""


def check_keys(raw, allowed, where, elsewhere=None):
    """Refuse the first unknown key of raw (sorted), naming it and the fix. elsewhere: {key: why it does not
    apply here} for keys valid on another kind of item."""
    for key in sorted(str(k) for k in raw if k not in allowed):
        if elsewhere and key in elsewhere:
            raise InputError("%s.%s: %s; remove it" % (where, key, elsewhere[key]))
        if key in NOT_YET and key not in SYNONYMS:
            raise InputError("%s.%s: Docker's '%s' is not supported by cnet.linux yet; remove it (valid keys: %s)"
                             % (where, key, key, ", ".join(allowed)))
        raise InputError("%s: unknown key '%s'%s (valid keys: %s)" % (where, key, nearest(key, allowed),
                                                                      ", ".join(allowed)))
    for key, value in raw.items():
        if value is None or key not in TYPES:
            continue
        types, words = TYPES[key]
        if not isinstance(value, types) or isinstance(value, bool) and bool not in types:
            raise InputError("%s.%s: %r is %s; %s is expected" % (where, key, value, _kind(value), words))


def check_variables(names, host):
    """Refuse an inventory variable that is a near miss of one of ours ('cnet_container')."""
    for name in sorted(names):
        if name.startswith("cnet_") and name not in VARIABLES:
            close = difflib.get_close_matches(name, VARIABLES, n=1, cutoff=0.9)
            if close:
                raise InputError("%s: inventory variable '%s' is not one cnet.linux reads; did you mean '%s'?"
                                 % (host, name, close[0]))


def _kind(value):
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else type(value).__name__
