# Sourced by scripts/demo and scripts/test: the venv and the repository's ansible.cfg.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# scripts/ last: its "test" must not shadow /usr/bin/test for programs that run it by name
export PATH="$here/.venv/bin:$PATH:$here/scripts"
export ANSIBLE_CONFIG="$here/ansible.cfg"
export PYTHONDONTWRITEBYTECODE=1
export ANSIBLE_COLLECTIONS_PATH="$here/.collections"

source "$here/scripts/quiet_pip.sh"
