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

# Install the project into .venv only when needed (scripts/run and scripts/test): when .venv
# is new, pyproject.toml changed since the last install, or the install is missing or made
# from another folder (a copied or moved checkout). An editable install picks up code changes
# by itself, so a second launch runs no pip at all and prints nothing. A stamp file names the
# extra and pyproject.toml's hash; it is written only after pip succeeded.
#   install_project ""      the app          (also satisfied by an install with [test])
#   install_project test    the app and its test tools
install_project() {
  local extra=$1 hash
  # one Python start: the hash, and whether the installed project is this folder's (-I: not
  # the *.egg-info that setuptools leaves in this folder, which has no install record)
  hash=$(.venv/bin/python -I - "$PWD" <<'PY'
import hashlib, importlib.metadata as m, json, pathlib, sys, urllib.parse, urllib.request
digest = hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest()
try:
    url = json.loads(m.distribution("case-file-audit-tool").read_text("direct_url.json") or "{}")["url"]
    here = pathlib.Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path)).resolve()
    ok = here == pathlib.Path(sys.argv[1]).resolve()
except Exception:  # not installed, or not from a folder
    ok = False
print(digest if ok else "missing")
PY
)
  if [ "$hash" != missing ] && { [ -f ".venv/.installed-${extra:-app}-$hash" ] ||
       { [ -z "$extra" ] && [ -f ".venv/.installed-test-$hash" ]; }; }; then
    return 0
  fi
  if [ -n "$extra" ]; then
    echo "Installing the project and its $extra tools into .venv..."
  else
    echo "Installing the project into .venv (first launch, or pyproject.toml changed)..."
  fi
  # pip's notices (setuptools' "Editable installation" warning) go to a log, not the terminal
  if ! { .venv/bin/python -m pip install --quiet --upgrade pip &&
         .venv/bin/python -m pip install --quiet -e ".${extra:+[$extra]}"; } >.venv/pip-install.log 2>&1; then
    tail -n 30 .venv/pip-install.log >&2
    echo "pip install failed; the whole log is in .venv/pip-install.log" >&2
    exit 1
  fi
  hash=$(.venv/bin/python -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
  rm -f .venv/.installed-*
  touch ".venv/.installed-${extra:-app}-$hash"
}
