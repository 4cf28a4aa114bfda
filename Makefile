# Vireo — the thin top-level Makefile. Meson and Ninja do the building.
#
#   make            build everything into build/
#   make check      build, then run every test suite (ends with "N passed, N failed")
#   make demo       build, build the test guest, and boot it to a shell
#
# Warnings are errors when CI=true is in the environment or with WERROR=1.

BUILD      ?= build
BUILD_ASAN ?= build-asan
NINJA      ?= ninja
WERROR_OPT := $(if $(filter true,$(CI))$(WERROR),-Dwerror_ci=true,-Dwerror_ci=false)

.PHONY: all deps build build-asan check demo clean

all: build

deps:
	@scripts/install-deps.sh --check >/dev/null 2>&1 || scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) $(WERROR_OPT)

build: deps $(BUILD)/build.ninja
	@meson configure $(BUILD) $(WERROR_OPT) >/dev/null
	$(NINJA) -C $(BUILD)

$(BUILD_ASAN)/build.ninja: | deps
	meson setup $(BUILD_ASAN) $(WERROR_OPT) -Dbuildtype=debug \
	    -Db_sanitize=address,undefined -Db_lundef=false

build-asan: deps $(BUILD_ASAN)/build.ninja
	@meson configure $(BUILD_ASAN) $(WERROR_OPT) >/dev/null
	$(NINJA) -C $(BUILD_ASAN)

check: build build-asan
	tests/run-all --build $(BUILD) --asan-build $(BUILD_ASAN)

demo: build
	scripts/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
