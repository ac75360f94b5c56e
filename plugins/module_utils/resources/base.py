# -*- coding: utf-8 -*-
# Copyright: cnet.linux contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource protocol, stated once. A resource is the desired state of one kind of object (normalized,
serializable) and three steps the engine runs:

  view = resource.observe(ctx)    read the host (one dump per namespace); the only step that reads
  plan = resource.plan(view)      a list of Actions: a function of the desired state and the view alone
  resource.before(view, key)      the diff views of one object key (a tuple such as ('veth', 'vweb'))
  resource.after(view, key)

Modules give their parameters to from_params(): a list option (ITEMS) or the single form, each item
normalized by normalize(raw, field, state, defaults), its state checked, the items' keys unique (UNIQUE).
OPS names the operations the plans use (the layers' tables), so a module ships only those layers.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.cnet.linux.plugins.module_utils.core import inputs
from ansible_collections.cnet.linux.plugins.module_utils.core.errors import InputError

RECORD_VERSION = 1  # of the host's record of its desired state (<state_dir>/desired.json)


class View:
    """What observe() read, as plain attributes (tests build one by hand), plus the run's facts a plan may
    use: check (a check run: what earlier steps would make is not there yet) and the warnings the plan gives
    (what it left alone, and why). memo() keeps what plan and diff views both derive."""

    def __init__(self, check=False, **parts):
        self.check = check
        self.warnings = []
        self._memo = {}
        for name, value in parts.items():
            setattr(self, name, value)

    def warn(self, message):
        self.warnings.append(message)

    def memo(self, name, compute):
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]


class Resource:
    KIND = None  # the name in to_dict()
    ITEMS = None  # the list option ('pairs'); None: the single form only
    FIELD = None  # the single form's name in messages ('veth')
    KEY = "name"  # the item field that names an object
    UNIQUE = ()  # ((field, ...), message with a %s per field): no two items may share those fields
    OPS = {}  # operation name -> function, of the layers the plans use
    GROUP = True  # a restore may converge every recorded item of this kind in one call (False: one per item)
    PYROUTE2 = False  # whether the plans write through pyroute2 (then the module requires it)

    def __init__(self, items, **options):
        for fields, message in self.UNIQUE:
            seen = set()
            for item in items:
                key = tuple(item[field] for field in fields)
                if key in seen:
                    raise InputError(message % key)
                seen.add(key)
        self.items = self.arrange(items)
        self.by_key = dict((item[self.KEY], item) for item in self.items)
        self.options = options
        for name, value in options.items():
            setattr(self, name, value)
        self.validate()

    # from the module's parameters

    @classmethod
    def from_params(cls, params):
        for option, value in sorted(params.items()):  # every value one line of printable text, however deep
            inputs.plain(value, option)
        state = params.get("state") or "present"
        if cls.ITEMS and params.get(cls.ITEMS) is not None:
            defaults = cls.list_defaults(params)
            items = [cls.normalize(raw, "%s[%d]" % (cls.ITEMS, i), state, defaults)
                     for i, raw in enumerate(params[cls.ITEMS])]
        else:
            items = cls.single(params, state)
        return cls(items, **cls.options_of(params))

    @classmethod
    def normalize(cls, raw, field, state, defaults=None):
        """One item, normalized and checked; InputError names field."""
        raise NotImplementedError

    @classmethod
    def single(cls, params, state):
        """The items of the single form (the module's top-level options)."""
        return [cls.normalize(params, cls.FIELD, state, {})]

    @classmethod
    def list_defaults(cls, params):
        """Top-level options that items of the list form inherit."""
        return {}

    @classmethod
    def options_of(cls, params):
        """The resource's options besides its items (purge, backend, ...)."""
        return {}

    def arrange(self, items):
        """The items in the order they are planned."""
        return items

    def validate(self):
        """Checks across items and options."""

    def to_dict(self):
        """The desired state as plain JSON data (what a boot-time restore keeps and replays)."""
        out = {"resource": self.KIND, "items": self.items}
        out.update(self.options)
        return out

    @classmethod
    def from_dict(cls, data):
        """The resource to_dict() described (its items are normalized already; the checks across items run
        again)."""
        if data.get("resource") != cls.KIND:
            raise InputError("a %s resource cannot be made from a '%s' record" % (cls.KIND, data.get("resource")))
        options = dict((key, value) for key, value in data.items() if key not in ("resource", "items"))
        return cls(list(data["items"]), **options)

    # the host's record of its desired state: what a restore replays after a reboot

    def remember(self, record):
        """Enter this call's desired state into record ({"version", "kinds": {kind: {key: {item, options}}}}):
        present items are recorded, absent ones and what purge removes are forgotten. True if it changed.
        A host with no record and nothing to record gets none (a second teardown writes no file)."""
        fresh = "version" not in record
        entries = record.setdefault("kinds", {}).setdefault(self.KIND, {})
        before = json.dumps(entries, sort_keys=True)
        for key in self.forgotten(entries):
            del entries[key]
        options = self.replay_options()
        for item in self.items:
            key = str(item[self.KEY])
            if item["state"] == "present":
                entries[key] = {"item": item, "options": options}
            else:
                entries.pop(key, None)
        if fresh and not any(record["kinds"].values()):
            return False
        changed = json.dumps(entries, sort_keys=True) != before or record.get("version") != RECORD_VERSION
        record["version"] = RECORD_VERSION
        return changed

    def keep(self, records, view):
        """After a real run, besides remember(): the names of the state directory's documents (records(name),
        a dict to update in place) this resource keeps itself, that it changed. view: what observe() read before
        the run changed anything."""
        return []

    def forgotten(self, entries):
        """Recorded keys this call removes besides its absent items (what purge deletes)."""
        if not getattr(self, "purge", False):
            return []
        return [key for key in entries if key not in self.by_key]

    def replay_options(self):
        """The options a restore converges the recorded items with (never purge: a restore only re-makes)."""
        options = dict(self.options)
        if "purge" in options:
            options["purge"] = False
        return options

    # the engine's steps

    def observe(self, ctx):
        raise NotImplementedError

    def plan(self, view):
        """Each item's actions in order (present or absent), then what purge removes."""
        out = []
        for item in self.items:
            out.extend(self.present(view, item) if item["state"] == "present" else self.absent(view, item))
        return out + self.purged(view)

    def present(self, view, item):
        raise NotImplementedError

    def absent(self, view, item):
        raise NotImplementedError

    def purged(self, view):
        return []

    def before(self, view, key):
        return None

    def after(self, view, key):
        return None
