#!/usr/bin/env bash
# make install PREFIX=…: installs the release binaries (built with --static-swift-stdlib by
# `make release`), shell completions for bash, zsh and fish, and the man page.
#   usage: install.sh DESTINATION_PREFIX [swift]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${1:?usage: install.sh PREFIX [swift]}
SWIFT=${2:-swift}
cd "$ROOT"
BIN_DIR=$($SWIFT build -c release --static-swift-stdlib --show-bin-path)

install -d "$PREFIX/bin" "$PREFIX/share/man/man1" "$PREFIX/share/bash-completion/completions" \
  "$PREFIX/share/zsh/site-functions" "$PREFIX/share/fish/vendor_completions.d"
install -m 0755 "$BIN_DIR/aws-runas" "$PREFIX/bin/aws-runas"
# The TUI is a separate product; install it when it builds.
if $SWIFT build -c release --static-swift-stdlib --product aws-runas-tui >/dev/null 2>&1; then
  install -m 0755 "$BIN_DIR/aws-runas-tui" "$PREFIX/bin/aws-runas-tui"
  echo "installed $PREFIX/bin/aws-runas-tui"
else
  echo "aws-runas-tui does not build here; skipped" >&2
fi
install -m 0644 completions/aws-runas.bash "$PREFIX/share/bash-completion/completions/aws-runas"
install -m 0644 completions/_aws-runas "$PREFIX/share/zsh/site-functions/_aws-runas"
install -m 0644 completions/aws-runas.fish "$PREFIX/share/fish/vendor_completions.d/aws-runas.fish"
install -m 0644 docs/aws-runas.1 "$PREFIX/share/man/man1/aws-runas.1"
echo "installed $PREFIX/bin/aws-runas, completions and the man page"
