# Sourced by scripts/setup and scripts/env.sh: pip (or a tool that runs pip), minus its warnings about
# local wheel folders that some machines configure but do not have.
quiet_pip() { "$@" 2> >(grep -v "^WARNING: Location" >&2); }
