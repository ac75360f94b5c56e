# Sourced by scripts/demo and scripts/test: the venv and the repository's ansible.cfg.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$here/.venv/bin:$here/scripts:$PATH"
export ANSIBLE_CONFIG="$here/ansible.cfg"
export PYTHONDONTWRITEBYTECODE=1
export ANSIBLE_COLLECTIONS_PATH="$here/.collections"

source "$here/scripts/quiet_pip.sh"
