"""The collection's module_utils are imported as Ansible imports them: ansible_collections.cnet.linux...."""

import os
import sys

COLLECTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                           ".collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
