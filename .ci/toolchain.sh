#!/usr/bin/env bash
# Makes sure this machine has what building and testing Promocodes needs, and
# prints the path of an env file to `source` (progress goes to stderr).
#
#   - a Rust toolchain that can build wasm32-unknown-unknown:
#       rustup with the wasm32 target (`rustup target add`), or, where that
#       target cannot be had (offline Debian bookworm), Debian's rustc-web 1.96
#       with a wasm32 std built from rust-web-src and lld-22 as the linker;
#   - cargo-leptos, wasm-bindgen-cli (= the wasm-bindgen in Cargo.lock), sqlx-cli;
#   - wasm-opt (binaryen) and sass from npm, so cargo-leptos never downloads;
#   - Chromium for the browser tests (Debian's package) and the end2end npm packages.
# Idempotent: a second run takes seconds. Pre-existing requirements: PostgreSQL
# server binaries (initdb, pg_ctl), Node.js with npm, and apt-get (as root) for
# anything missing on Debian.
set -euo pipefail

cargo_leptos_version=0.3.11
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' "$(dirname "$0")/../Cargo.lock")
sqlx_cli_version=0.8.6
binaryen_version=132.0.0
sass_version=1.108.2

if [[ $(id -u) == 0 ]]; then
  prefix=${PROMOCODES_TOOLCHAIN:-/opt/leptos-toolchain}
else
  prefix=${PROMOCODES_TOOLCHAIN:-${XDG_DATA_HOME:-$HOME/.local/share}/promocodes/toolchain}
fi
mkdir -p "$prefix/bin"
say() { printf 'toolchain: %s\n' "$*" >&2; }
apt_install() {
  if [[ $(id -u) != 0 ]]; then
    say "missing Debian packages: $*; run this script as root once, or install them yourself"
    exit 1
  fi
  if [[ ! -f "$prefix/.apt-updated" ]]; then apt-get update -qq >&2 && touch "$prefix/.apt-updated"; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}
env_lines=()

# 1. Rust with wasm32. A Debian route set up earlier wins (its builds are warm);
# else rustup with the wasm32 target; else set up the Debian route.
debian_ready() {
  [[ -x /usr/bin/rustc ]] && dpkg -s rustc-web >/dev/null 2>&1 \
    && [[ "$(cat "$prefix/sysroot/.rustc-version" 2>/dev/null)" == "$(/usr/bin/rustc -V)" ]]
}
if ! debian_ready && command -v rustup >/dev/null 2>&1 \
  && { rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
       || rustup target add wasm32-unknown-unknown >&2 2>/dev/null; }; then
  say "using rustup's toolchain with the wasm32 target"
  rust_bin=$(dirname "$(rustup which rustc)")
  # The real binaries, not rustup's proxies: a crate's own rust-toolchain file must not switch compilers.
  export RUSTC="$rust_bin/rustc" RUSTDOC="$rust_bin/rustdoc"
  env_lines+=("export PATH=\"$prefix/bin:$rust_bin:$HOME/.cargo/bin:\$PATH\"")
  cargo_cmd=("$rust_bin/cargo")
else
  say "using Debian's rustc-web with a wasm32 std built from source"
  if ! dpkg -s rustc-web cargo-web rust-web-src libstd-rust-web-dev rust-web-clippy lld-22 >/dev/null 2>&1; then
    apt_install -t bookworm-security rustc-web cargo-web rust-web-src libstd-rust-web-dev rust-web-clippy
    apt_install lld-22
  fi
  for tool in cargo rustc rustdoc cargo-clippy clippy-driver; do ln -sf "/usr/bin/$tool" "$prefix/bin/$tool"; done
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
  rustc_version=$(/usr/bin/rustc -V)
  if [[ "$(cat "$prefix/sysroot/.rustc-version" 2>/dev/null)" != "$rustc_version" ]]; then
    say "building the wasm32 std sysroot (about 2 minutes)"
    work=$(mktemp -d)
    mkdir -p "$work/src"
    printf '[package]\nname = "sysroot-seed"\nversion = "0.1.0"\nedition = "2021"\n[profile.release]\nopt-level = 3\ndebug = 0\ncodegen-units = 1\n' >"$work/Cargo.toml"
    echo 'pub fn seed() -> usize { vec![1u8].len() }' >"$work/src/lib.rs"
    (cd "$work" && RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes CARGO_TARGET_DIR="$work/target" \
      /usr/bin/cargo build -q --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort \
      --config 'target.wasm32-unknown-unknown.linker="wasm-ld-22"' >&2)
    lib="$prefix/sysroot/lib/rustlib/wasm32-unknown-unknown/lib"
    rm -rf "$prefix/sysroot" && mkdir -p "$lib"
    cp "$work"/target/wasm32-unknown-unknown/release/deps/lib*.rlib "$lib/"
    rm -f "$lib"/libsysroot_seed-*
    echo "$rustc_version" >"$prefix/sysroot/.rustc-version"
    rm -rf "$work"
  fi
  env_lines+=(
    "export PATH=\"$prefix/bin:\$PATH\""
    "export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc"
    "export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-22"
    "export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS=\"--sysroot $prefix/sysroot\""
  )
  cargo_cmd=(/usr/bin/cargo)
fi
# rustfmt: rustup's if present, else Debian's.
if ! command -v cargo-fmt >/dev/null 2>&1; then
  dpkg -s rustfmt-web >/dev/null 2>&1 || apt_install -t bookworm-security rustfmt-web
  for tool in cargo-fmt rustfmt; do [[ -x /usr/bin/$tool ]] && ln -sf "/usr/bin/$tool" "$prefix/bin/$tool"; done
fi

# 2. Cargo tools at the versions the project needs.
tool_version() { # binary: prints its version line
  case $1 in
    cargo-sqlx) "$prefix/bin/cargo-sqlx" sqlx --version ;;
    *) "$prefix/bin/$1" --version ;;
  esac 2>/dev/null
}
install_tool() { # binary crate version [extra cargo install args...]
  local binary=$1 crate=$2 version=$3
  shift 3
  if tool_version "$binary" | grep -qF " $version"; then return; fi
  say "building $crate $version from crates.io (several minutes, once)"
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_TARGET_DIR="$prefix/build" \
    "${cargo_cmd[@]}" install -q "$crate" --version "=$version" --root "$prefix/install" "$@" >&2
  ln -sf "$prefix/install/bin/$binary" "$prefix/bin/$binary"
}
install_tool wasm-bindgen wasm-bindgen-cli "$wasm_bindgen_version"
install_tool cargo-leptos cargo-leptos "$cargo_leptos_version" --locked
install_tool cargo-sqlx sqlx-cli "$sqlx_cli_version" --locked --no-default-features --features postgres,rustls
ln -sf cargo-sqlx "$prefix/bin/sqlx" 2>/dev/null || true

# 3. wasm-opt and sass from npm.
if [[ ! -x "$prefix/npm/node_modules/.bin/wasm-opt" || ! -x "$prefix/npm/node_modules/.bin/sass" ]]; then
  command -v npm >/dev/null || { say "npm is missing: install Node.js (Debian: apt-get install nodejs npm)"; exit 1; }
  say "installing wasm-opt (binaryen) and sass from npm"
  npm install -s --prefix "$prefix/npm" "binaryen@$binaryen_version" "sass@$sass_version" >&2
fi
ln -sf "$prefix/npm/node_modules/.bin/wasm-opt" "$prefix/bin/wasm-opt"
ln -sf "$prefix/npm/node_modules/.bin/sass" "$prefix/bin/sass"

# 4. Browser tests: Chromium and the end2end packages (only when asked).
if [[ ${1:-} == --with-browser ]]; then
  if ! command -v chromium >/dev/null 2>&1; then
    say "installing Debian's chromium for the browser tests"
    apt_install chromium
  fi
  end2end="$(cd "$(dirname "$0")/../end2end" && pwd)"
  if [[ ! -d "$end2end/node_modules/@playwright/test" ]]; then
    say "installing the end2end npm packages"
    (cd "$end2end" && npm ci --no-audit --no-fund -s >&2)
  fi
fi

{
  echo "# generated by .ci/toolchain.sh"
  printf '%s\n' "${env_lines[@]}"
} >"$prefix/env"
echo "$prefix/env"
