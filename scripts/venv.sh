# Sourced by scripts/run and scripts/test: make (or repair) the project's .venv.
PY=${PYTHON:-python3}
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "Python 3.11 or newer is needed (python3 was not found)."; exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Python 3.11 or newer is needed; $("$PY" --version) was found. Set PYTHON=/path/to/python3.11."; exit 1
fi
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  if ! "$PY" -c 'import ensurepip' >/dev/null 2>&1; then
    echo "Python's venv module is missing. On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1
  fi
  rm -rf .venv  # a half-made one from an earlier failed attempt
  "$PY" -m venv .venv
fi
