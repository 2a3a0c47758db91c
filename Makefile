# aws-runas: build, test, benchmark and demo. Every target installs what it needs.
SWIFT ?= swift
PREFIX ?= /usr/local
RELEASE_FLAGS = -c release --static-swift-stdlib

.PHONY: all build release install test unit-test bench startup-order demo screenshots lint format clean

all: build

build:
	$(SWIFT) build

release:
	$(SWIFT) build $(RELEASE_FLAGS) --product aws-runas
	$(SWIFT) build $(RELEASE_FLAGS) --product aws-runas-tui

# Release binaries (aws-runas, and aws-runas-tui when it builds), completions and the man page
# under $(DESTDIR)$(PREFIX).
install: release
	bash scripts/install.sh "$(DESTDIR)$(PREFIX)" "$(SWIFT)"

# Installs test prerequisites (tmux, libncurses-dev, moto[server], boto3, awscli), builds and runs every test.
test:
	bash scripts/ensure-test-deps.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: release
	$(SWIFT) build $(RELEASE_FLAGS) --product runas-bench
	bash scripts/ensure-test-deps.sh
	bash scripts/ensure-bench-deps.sh
	bash scripts/bench.sh
	bash scripts/bench-serve.sh
	bash scripts/bench-sso.sh
	python3 scripts/bench-tui.py .build/release/aws-runas-tui

# Rewrites Linking/startup-order.txt (the code and data a cache hit and --version touch, which lld
# places side by side) from the release binary, then relinks with it. Run after changing that path.
startup-order: release
	bash scripts/ensure-bench-deps.sh
	python3 scripts/startup-order.py
	rm -f "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"/aws-runas "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"/aws-runas-tui
	$(MAKE) release

demo: build
	bash scripts/ensure-test-deps.sh
	bash scripts/demo.sh

# Drives aws-runas-tui in tmux against the emulator and renders PNGs into screenshots/.
screenshots: build
	bash scripts/ensure-test-deps.sh
	bash scripts/screenshots.sh

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
