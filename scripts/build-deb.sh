#!/usr/bin/env bash
# Builds the Debian package into target/debian/permitdesk_VERSION-1_ARCH.deb and prints its path.
# First `cargo xtask dist` writes the man pages and completions into target/dist from the clap
# definitions (never by hand, never committed); then cargo-deb builds the release binary and packs
# it with them ([package.metadata.deb] in Cargo.toml). Needs cargo-deb:
#   cargo install cargo-deb --version 3.8.0 --locked
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-deb >/dev/null 2>&1; then
  echo "build-deb: cargo-deb is missing: cargo install cargo-deb --version 3.8.0 --locked" >&2
  exit 1
fi
cargo xtask dist
cargo deb --locked "$@"
