#!/usr/bin/env bash
# Installs what huntbook's notebooks need, when it is missing, and is safe to
# run again (each step checks first). Sourced by `scripts/notebooks` and
# `scripts/test`; can be run alone.
#
#   - Jupyter (nbclient, nbconvert, JupyterLab) in the project-local .venv
#   - evcxr_jupyter at a pinned version (cargo install --locked)
#   - mold, the fast linker, from Debian's packages when running as root
#   - the "huntbook-rust" kernel spec inside .venv, started by scripts/evcxr-kernel
set -euo pipefail

HB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HB_VENV="$HB_ROOT/.venv"
HB_EVCXR_VERSION="0.22.0"
HB_PY_PACKAGES=(nbclient nbconvert nbformat jupyterlab notebook ipykernel)

log() { printf '[setup] %s\n' "$*" >&2; }

setup_python() {
  if [ -x "$HB_VENV/bin/python" ] && "$HB_VENV/bin/python" -c 'import nbclient, nbconvert, jupyterlab, notebook' 2>/dev/null; then
    return
  fi
  log "creating $HB_VENV with Jupyter (nbclient, nbconvert, JupyterLab, Notebook 7)"
  python3 -m venv "$HB_VENV"
  "$HB_VENV/bin/python" -m pip install --quiet --upgrade pip
  "$HB_VENV/bin/python" -m pip install --quiet "${HB_PY_PACKAGES[@]}"
}

evcxr_bin() {
  if command -v evcxr_jupyter >/dev/null 2>&1; then command -v evcxr_jupyter
  else echo "${CARGO_HOME:-$HOME/.cargo}/bin/evcxr_jupyter"; fi
}

setup_evcxr() {
  local bin; bin="$(evcxr_bin)"
  if [ -x "$bin" ] && cargo install --list 2>/dev/null | grep -q "^evcxr_jupyter v$HB_EVCXR_VERSION:"; then
    return
  fi
  log "installing evcxr_jupyter $HB_EVCXR_VERSION (cargo install --locked, about 6 minutes)"
  cargo install --locked --version "$HB_EVCXR_VERSION" evcxr_jupyter
}

setup_mold() {
  # Optional: mold links polars-sized binaries several times faster (used by
  # scripts/linker and picked up by evcxr for every notebook cell).
  command -v mold >/dev/null 2>&1 && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing mold (faster linking)"
    (apt-get install -y -q mold >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q mold >/dev/null 2>&1; }) \
      || log "mold not installed; using the system linker"
  fi
}

setup_chromium() {
  # For the browser checks (scripts/check_html.py, the widget end-to-end
  # test): installed from Debian's packages when missing and running as root.
  command -v chromium >/dev/null 2>&1 && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing chromium (headless browser check of the rendered notebooks)"
    (apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }) \
      || log "chromium not installed; the browser check will be skipped"
  fi
}

setup_kernel() {
  local dir="$HB_VENV/share/jupyter/kernels/huntbook-rust"
  mkdir -p "$dir"
  cat > "$dir/kernel.json" <<JSON
{
  "argv": ["$HB_ROOT/scripts/evcxr-kernel", "--control_file", "{connection_file}"],
  "display_name": "Rust (huntbook)",
  "language": "rust",
  "interrupt_mode": "message"
}
JSON
}

hb_setup() {
  setup_mold
  setup_chromium
  setup_python
  setup_evcxr
  setup_kernel
  export PATH="$HB_VENV/bin:$PATH"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  hb_setup
  log "ready: kernel 'huntbook-rust' in $HB_VENV"
fi
