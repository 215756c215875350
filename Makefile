# The README's quick start: `make demo` and `make test`, both on a fresh Debian machine.
# Missing Debian packages are installed first (with sudo when not root).

DEB_PACKAGES := libcurl4-openssl-dev libyaml-dev openssl pkg-config zlib1g-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT_BUILD_FLAGS ?=

.PHONY: demo test build deps check-linkage clean

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "make: installing missing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v kubectl >/dev/null 2>&1 || echo "make: note: kubectl is not installed; the tests that drive it will fail under CI=true"

build: deps
	swift build $(SWIFT_BUILD_FLAGS) --product kreconcile

# The README's first command: plan offline from a snapshot file, no cluster needed.
demo: build
	@echo "+ kreconcile run --snapshot examples/cluster.yaml"
	@"$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path)/kreconcile" run --snapshot examples/cluster.yaml

test: deps
	swift build $(SWIFT_BUILD_FLAGS) --build-tests
	swift test $(SWIFT_BUILD_FLAGS) --skip-build

# kreconcile must never link SwiftNIO or Hummingbird (only the emulator does).
check-linkage: build
	@.ci/check-linkage.sh "$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path)"

clean:
	rm -rf .build
