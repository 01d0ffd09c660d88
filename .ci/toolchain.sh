#!/usr/bin/env bash
# Makes sure this machine has what building and testing Promocodes needs, and
# prints the path of an env file to `source` (progress goes to stderr). Any
# step that cannot be done stops with a message that says what is missing.
#
#   - the project's compiler: rustup's default toolchain with the wasm32
#     target (added when missing), or, where rustup cannot get that target,
#     Debian's rustc-web with a wasm32 std built from rust-web-src;
#   - the tools' compiler, chosen by what the tools need: cargo-leptos 0.3.11
#     needs rustc >= 1.96 (its lock pins cargo-util-schemas 0.14.2). The
#     project's own compiler when it is new enough, else rustup's 1.96
#     (installed, minimal profile, about 20 s), else Debian's rustc-web;
#   - cargo-leptos, wasm-bindgen-cli (= the wasm-bindgen in Cargo.lock) and,
#     for `make test`, sqlx-cli, built unoptimised (`cargo install --debug`):
#     they only drive other programs, and that takes a third of the time;
#   - wasm-opt (binaryen) and sass from npm, so cargo-leptos never downloads;
#   - with --with-browser: Debian's Chromium and the end2end npm packages.
# Idempotent: a second run takes a second. Must already be there: rustup (or
# apt-get as root), a C compiler, Node.js with npm, and PostgreSQL's binaries.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cargo_leptos_version=0.3.11
tools_rust=1.96.0 # the oldest rustc cargo-leptos $cargo_leptos_version builds with
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' "$root/Cargo.lock")
sqlx_cli_version=0.8.6
binaryen_version=132.0.0
sass_version=1.108.2
with_browser=false
with_sqlx=false
for arg in "$@"; do
  case $arg in
    --with-browser) with_browser=true ;;
    --with-sqlx) with_sqlx=true ;;
    *) printf 'toolchain: unknown option %s\n' "$arg" >&2; exit 2 ;;
  esac
done

if [[ $(id -u) == 0 ]]; then
  prefix=${PROMOCODES_TOOLCHAIN:-/opt/leptos-toolchain}
else
  prefix=${PROMOCODES_TOOLCHAIN:-${XDG_DATA_HOME:-$HOME/.local/share}/promocodes/toolchain}
fi
mkdir -p "$prefix/bin"
say() { printf 'toolchain: %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}
apt_install() {
  [[ $(id -u) == 0 ]] || die "missing Debian packages: $*. Install them (sudo apt-get install $*) or run this once as root."
  command -v apt-get >/dev/null || die "missing $*, and this is not a Debian system: install them yourself."
  if [[ ! -f "$prefix/.apt-updated" ]]; then
    apt-get update -qq >&2 || die "apt-get update failed (is the network up?)"
    touch "$prefix/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 \
    || die "apt-get install $* failed"
}
# rustc's minor version (95 for 1.95.0), or 0.
rust_minor() { "$1" -V 2>/dev/null | awk '{split($2, v, "."); print v[2] + 0}' || echo 0; }
command -v cc >/dev/null || apt_install gcc libc6-dev
command -v npm >/dev/null || die "npm is missing: install Node.js 18 or newer (Debian: apt-get install nodejs npm)"
env_lines=()

# 1. The project's compiler. A Debian route set up earlier wins (its builds are
# warm); else rustup with the wasm32 target; else set up the Debian route.
debian_ready() {
  [[ -x /usr/bin/rustc ]] && dpkg -s rustc-web >/dev/null 2>&1 \
    && [[ "$(cat "$prefix/sysroot/.rustc-version" 2>/dev/null)" == "$(/usr/bin/rustc -V)" ]]
}
rustup_wasm() {
  command -v rustup >/dev/null 2>&1 || return 1
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown && return 0
  say "adding the wasm32-unknown-unknown target to rustup's toolchain"
  rustup target add wasm32-unknown-unknown >&2
}
if ! debian_ready && rustup_wasm; then
  rust_bin=$(dirname "$(rustup which rustc)")
  say "project compiler: rustup's $("$rust_bin/rustc" -V)"
  # The real binaries, not rustup's proxies: a crate's own rust-toolchain file must not switch compilers.
  export RUSTC="$rust_bin/rustc" RUSTDOC="$rust_bin/rustdoc"
  env_lines+=(
    "export PATH=\"$prefix/bin:$rust_bin:\$PATH\""
    "export RUSTC=\"$rust_bin/rustc\" RUSTDOC=\"$rust_bin/rustdoc\""
  )
  project_rustc="$rust_bin/rustc"
  if [[ ! -x "$rust_bin/cargo-fmt" || ! -x "$rust_bin/cargo-clippy" ]]; then
    rustup component add rustfmt clippy >&2 || die "rustup could not add rustfmt and clippy"
  fi
else
  say "project compiler: Debian's rustc-web with a wasm32 std built from source"
  if ! dpkg -s rustc-web cargo-web rust-web-src libstd-rust-web-dev rust-web-clippy rustfmt-web lld-22 >/dev/null 2>&1; then
    apt_install -t bookworm-security rustc-web cargo-web rust-web-src libstd-rust-web-dev rust-web-clippy rustfmt-web
    apt_install lld-22
  fi
  for tool in cargo rustc rustdoc cargo-clippy clippy-driver cargo-fmt rustfmt; do
    [[ -x /usr/bin/$tool ]] && ln -sf "/usr/bin/$tool" "$prefix/bin/$tool"
  done
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
  rustc_version=$(/usr/bin/rustc -V)
  if [[ "$(cat "$prefix/sysroot/.rustc-version" 2>/dev/null)" != "$rustc_version" ]]; then
    say "building the wasm32 std sysroot (about 2 minutes, once)"
    work=$(mktemp -d)
    mkdir -p "$work/src"
    printf '[package]\nname = "sysroot-seed"\nversion = "0.1.0"\nedition = "2021"\n[profile.release]\nopt-level = 3\ndebug = 0\ncodegen-units = 1\n' >"$work/Cargo.toml"
    echo 'pub fn seed() -> usize { vec![1u8].len() }' >"$work/src/lib.rs"
    (cd "$work" && RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes CARGO_TARGET_DIR="$work/target" \
      /usr/bin/cargo build -q --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort \
      --config 'target.wasm32-unknown-unknown.linker="wasm-ld-22"' >&2) || die "building the wasm32 std failed"
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
  project_rustc=/usr/bin/rustc
fi

# 2. Cargo tools at the versions the project needs.
tool_version() { # binary: prints its version line
  case $1 in
    cargo-sqlx) "$prefix/bin/cargo-sqlx" sqlx --version ;;
    *) "$prefix/bin/$1" --version ;;
  esac 2>/dev/null
}
tools_cargo=()
pick_tools_compiler() { # sets tools_cargo and tools_rustc, once
  [[ ${#tools_cargo[@]} -gt 0 ]] && return
  local want=${tools_rust#1.}
  want=${want%%.*}
  if (($(rust_minor "$project_rustc") >= want)); then
    tools_rustc=$project_rustc
  elif command -v rustup >/dev/null 2>&1 \
    && { rustup toolchain list 2>/dev/null | grep -q "^$tools_rust-" \
         || { say "installing rustup's $tools_rust (minimal) to build the tools (about 20 s)"
              rustup toolchain install "$tools_rust" --profile minimal >&2; }; }; then
    tools_rustc=$(rustup which --toolchain "$tools_rust" rustc)
  elif (($(rust_minor /usr/bin/rustc) >= want)); then
    tools_rustc=/usr/bin/rustc
  elif [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null \
    && apt_install -t bookworm-security rustc-web cargo-web && (($(rust_minor /usr/bin/rustc) >= want)); then
    tools_rustc=/usr/bin/rustc
  else
    die "cargo-leptos $cargo_leptos_version needs rustc >= $tools_rust, and none could be had: run 'rustup toolchain install $tools_rust --profile minimal', or on Debian bookworm install rustc-web and cargo-web from bookworm-security"
  fi
  tools_cargo=("$(dirname "$tools_rustc")/cargo")
  say "tools compiler: $("$tools_rustc" -V)"
}
install_tool() { # binary crate version [extra cargo install args...]
  local binary=$1 crate=$2 version=$3
  shift 3
  if tool_version "$binary" | grep -qF " $version"; then return; fi
  pick_tools_compiler
  say "building $crate $version from crates.io, unoptimised (once; cargo-leptos takes about 10 minutes)"
  local started=$SECONDS
  RUSTC="$tools_rustc" RUSTDOC="$(dirname "$tools_rustc")/rustdoc" CARGO_PROFILE_DEV_DEBUG=0 \
    CARGO_TARGET_DIR="$prefix/build" \
    "${tools_cargo[@]}" install -q --debug "$crate" --version "=$version" --root "$prefix/install" "$@" >&2 \
    || die "building $crate $version failed (see above)"
  ln -sf "$prefix/install/bin/$binary" "$prefix/bin/$binary"
  say "built $crate in $((SECONDS - started)) s"
}
install_tool wasm-bindgen wasm-bindgen-cli "$wasm_bindgen_version"
install_tool cargo-leptos cargo-leptos "$cargo_leptos_version" --locked
if $with_sqlx; then
  install_tool cargo-sqlx sqlx-cli "$sqlx_cli_version" --locked --no-default-features --features postgres,rustls
  ln -sf cargo-sqlx "$prefix/bin/sqlx"
fi
rm -rf "$prefix/build" # the tools' intermediate files: nothing reads them again

# 3. wasm-opt and sass from npm.
if [[ ! -x "$prefix/npm/node_modules/.bin/wasm-opt" || ! -x "$prefix/npm/node_modules/.bin/sass" ]]; then
  say "installing wasm-opt (binaryen) and sass from npm"
  npm install -s --no-audit --no-fund --prefix "$prefix/npm" "binaryen@$binaryen_version" "sass@$sass_version" >&2 \
    || die "npm could not install binaryen and sass (is the npm registry reachable?)"
fi
ln -sf "$prefix/npm/node_modules/.bin/wasm-opt" "$prefix/bin/wasm-opt"
ln -sf "$prefix/npm/node_modules/.bin/sass" "$prefix/bin/sass"

# 4. Browser tests: Chromium and the end2end packages (only when asked).
if $with_browser; then
  if ! command -v chromium >/dev/null 2>&1; then
    say "installing Debian's chromium for the browser tests"
    apt_install chromium
  fi
  if [[ ! -d "$root/end2end/node_modules/@playwright/test" ]]; then
    say "installing the end2end npm packages"
    (cd "$root/end2end" && npm ci --no-audit --no-fund -s >&2) || die "npm ci in end2end/ failed"
  fi
fi

# 5. Every tool the builds call must answer now, or the build would fail later.
for tool in cargo-leptos wasm-bindgen wasm-opt sass; do
  "$prefix/bin/$tool" --version >/dev/null 2>&1 || die "$prefix/bin/$tool does not run"
done

{
  echo "# generated by .ci/toolchain.sh"
  printf '%s\n' "${env_lines[@]}"
} >"$prefix/env"
echo "$prefix/env"
