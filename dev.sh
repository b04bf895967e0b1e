#!/usr/bin/env bash
# Run a command inside the project's virtual environment, creating it first if needed.
#
#   ./dev.sh dlwp book run --smoke     execute the companion (the main job)
#   ./dev.sh pytest                    run the whole test suite
#
# The environment lives in .venv (override with DLWP_VENV); it is (re)installed
# when it is missing or older than pyproject.toml. PYTHON picks the interpreter
# (default python3, 3.11 or newer).
set -euo pipefail
cd "$(dirname "$0")"

python=${PYTHON:-python3}
venv=${DLWP_VENV:-.venv}
stamp="$venv/.dlwp-installed"

if [ $# -eq 0 ]; then
    echo "usage: ./dev.sh COMMAND [ARGS...]   (e.g. ./dev.sh pytest)" >&2
    exit 2
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "dev.sh: $("$python" --version 2>&1) is too old; Python 3.11 or newer is needed (set PYTHON=python3.11)." >&2
    exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "dev.sh: creating $venv" >&2
    "$python" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "dev.sh: installing the companion, its test tools and JAX into $venv (first run: a few minutes)" >&2
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -e ".[test,jax]"
    touch "$stamp"
fi
export PATH="$PWD/$venv/bin:$PATH"
exec "$@"
