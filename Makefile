# Makefile — builds bin/ccapply, bin/ccapply-sim and bin/test-tool, runs the TAP suite.
#
# Sources are found by directory (wildcards), so adding a .c file to a module needs
# no edit here. Objects go to build/; a stamp of the compiler flags forces a full
# rebuild when they change (for example between `make` and `make SANITIZE=1`), and
# one of the link flags a relink. Missing libraries are installed by
# scripts/install-deps.sh before the first compile; pkg-config is consulted only
# inside recipes, after that step has run.
#
# Packagers' conventions: CPPFLAGS, CFLAGS and LDFLAGS from the environment or the
# command line reach every compile and link, after ccapply's own flags (so they
# can override them); CFLAGS defaults to -O2 -g. Warnings are errors only with
# WERROR=1, which `make check` and CI use; a plain `make` (a user or a
# distribution building a release) does not fail on a new compiler's warning.

CC       ?= cc
PKGS     := libfyaml libcurl libb2 libmicrohttpd libcrypto
VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
            -Wno-format-truncation
CFLAGS   ?= -O2 -g
CPPFLAGS ?=
LDFLAGS  ?=
# `make check` (and what it builds) turns warnings into errors unless told otherwise.
check: WERROR ?= 1
WERROR_FLAG = $(if $(filter 1,$(WERROR)),-Werror)
ALL_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DCCAPPLY_VERSION='"$(VERSION)"' \
               -I. $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARN) $(WERROR_FLAG) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(CFLAGS) $(LDFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm -lpthread
LINK = $(CC) $(ALL_LDFLAGS) -o $@

ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# Recursive on purpose: expanded when a recipe runs, after deps are installed.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))

COMMON_SRC := $(wildcard lib/*.c catalog/*.c)
CORE_SRC   := $(wildcard planner/*.c differ/*.c applier/*.c state/*.c client/*.c live/*.c mcp/*.c)
CMD_SRC    := $(wildcard cmd/*.c)
SIM_SRC    := $(wildcard sim/*.c)
TOOL_SRC   := $(wildcard tools/*.c)
UNIT_SRC   := $(wildcard t/unit/test-*.c)
TAP_SRC    := t/unit/tap.c

obj = $(patsubst %.c,build/%.o,$(1))

COMMON_LIB := build/libcommon.a
CORE_LIB   := build/libccapply.a
UNIT_BINS  := $(patsubst t/unit/%.c,bin/t/%,$(UNIT_SRC))
BINS       := bin/ccapply bin/ccapply-sim bin/test-tool

.PHONY: all check demo bench install clean deps catalog FORCE
.SECONDARY:
all: $(BINS) $(UNIT_BINS)

# --- dependencies -----------------------------------------------------------
build/.deps-ok:
	@mkdir -p build
	@if pkg-config --exists $(PKGS) && [ -f /usr/include/jsmn.h ] && command -v prove >/dev/null && \
	    command -v zsh >/dev/null && command -v fish >/dev/null; then :; \
	 else scripts/install-deps.sh; fi
	@pkg-config --exists $(PKGS) || { echo "make: libraries still missing: $(PKGS)" >&2; exit 1; }
	@touch $@
deps: build/.deps-ok

# The tools the tests run (git, man, Node.js...): installed when one is missing. A
# failure is not fatal here: the suites that need the tool skip, or fail under CI=true.
TEST_TOOLS := git man groff python3 node npm readelf flock prove jq curl unzip
build/.test-deps-ok: | build/.deps-ok
	@for c in $(TEST_TOOLS); do command -v $$c >/dev/null || missing="$$missing $$c"; done; \
	 if [ -n "$$missing" ]; then echo "make: missing for the tests:$$missing" >&2; \
	 scripts/install-deps.sh test || { echo "make: could not install them; their tests skip" >&2; exit 0; }; fi; \
	 touch $@

# -Werror changes no object, so it is left out of the stamp: switching between
# `make` and `make check` rebuilds nothing (CI builds from clean with it).
COMPILE_STAMP = $(CC) $(ALL_CPPFLAGS) $(filter-out -Werror,$(ALL_CFLAGS))
build/.flags: FORCE
	@mkdir -p build
	@echo '$(COMPILE_STAMP)' | cmp -s - $@ 2>/dev/null || echo '$(COMPILE_STAMP)' > $@
build/.ldflags: FORCE
	@mkdir -p build
	@echo '$(CC) $(ALL_LDFLAGS) $(LDLIBS_ALL)' | cmp -s - $@ 2>/dev/null || \
	 echo '$(CC) $(ALL_LDFLAGS) $(LDLIBS_ALL)' > $@

# --- compile and link -------------------------------------------------------
build/%.o: %.c build/.flags | build/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(COMMON_LIB): $(call obj,$(COMMON_SRC))
	@rm -f $@; ar rcs $@ $^
$(CORE_LIB): $(call obj,$(CORE_SRC))
	@rm -f $@; ar rcs $@ $^

# The JSON Schemas of the --json outputs, compiled in as the MCP tools'
# outputSchema (cmd/schemas.h): one source for both.
SCHEMA_SRC := $(wildcard docs/schemas/*.schema.json)
build/gen/schemas.c: scripts/embed-schemas.pl $(SCHEMA_SRC)
	@mkdir -p build/gen
	scripts/embed-schemas.pl $(SCHEMA_SRC) >$@.tmp && mv $@.tmp $@
build/gen/schemas.o: build/gen/schemas.c build/.flags | build/.deps-ok
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

bin/ccapply: $(call obj,$(CMD_SRC)) build/gen/schemas.o $(CORE_LIB) $(COMMON_LIB) build/.ldflags
	@mkdir -p bin
	$(LINK) $(call obj,$(CMD_SRC)) build/gen/schemas.o $(CORE_LIB) $(COMMON_LIB) $(LDLIBS_ALL)
bin/ccapply-sim: $(call obj,$(SIM_SRC)) $(COMMON_LIB) build/.ldflags
	@mkdir -p bin
	$(LINK) $(call obj,$(SIM_SRC)) $(COMMON_LIB) $(LDLIBS_ALL)
bin/test-tool: $(call obj,$(TOOL_SRC)) $(CORE_LIB) $(COMMON_LIB) build/.ldflags
	@mkdir -p bin
	$(LINK) $(call obj,$(TOOL_SRC)) $(CORE_LIB) $(COMMON_LIB) $(LDLIBS_ALL)
bin/t/%: build/t/unit/%.o build/t/unit/tap.o $(CORE_LIB) $(COMMON_LIB) build/.ldflags
	@mkdir -p bin/t
	$(LINK) $< build/t/unit/tap.o $(CORE_LIB) $(COMMON_LIB) $(LDLIBS_ALL)

-include $(shell find build -name '*.d' 2>/dev/null)

# --- the service catalog, generated from the official definition ------------
# catalog/catalog-data.c is committed; regenerate it after updating
# api/fivetran-openapi.json. t/0020-catalog.t fails when the two disagree.
catalog:
	perl scripts/gen-catalog.pl api/fivetran-openapi.json > catalog/catalog-data.c.tmp
	mv catalog/catalog-data.c.tmp catalog/catalog-data.c

# --- tests ------------------------------------------------------------------
PROVE ?= prove
PROVE_OPTS ?= -j2
# VALGRIND=1: the shell tests run ccapply, ccapply-sim and test-tool under
# valgrind (t/lib-valgrind.sh), and the C unit tests run under it here; a
# memory error or a definite leak fails the check. Slow; not with SANITIZE=1.
VALGRIND_CMD = valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
               --show-leak-kinds=definite --quiet --suppressions=$(CURDIR)/t/valgrind.supp
check: all build/.test-deps-ok
	SANITIZE=$(SANITIZE) CCAPPLY_VALGRIND=$(VALGRIND) LSAN_OPTIONS=suppressions=$(CURDIR)/t/lsan.supp \
		$(PROVE) $(PROVE_OPTS) --exec bash t/*.t
ifeq ($(VALGRIND),1)
	@for t in $(UNIT_BINS); do $(VALGRIND_CMD) $$t >/dev/null; \
	 if [ $$? -eq 99 ]; then echo "valgrind: errors in $$t" >&2; exit 1; fi; done
endif

# The whole job on the simulator, in a scratch directory; see scripts/demo.sh.
demo: all
	@CCAPPLY="$(CURDIR)/bin/ccapply" CCAPPLY_SIM="$(CURDIR)/bin/ccapply-sim" scripts/demo.sh

# --- install ----------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=staging root]; uninstall removes the same files.
# The completions in contrib/ are `ccapply completion bash|zsh|fish` (t/7025 checks them);
# zsh's goes where Debian's zsh looks: vendor-completions under /usr, site-functions elsewhere.
INSTALL    ?= install
BINDIR      = $(DESTDIR)$(PREFIX)/bin
MAN1DIR     = $(DESTDIR)$(PREFIX)/share/man/man1
COMPDIR     = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(DESTDIR)$(PREFIX)/share/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)
FISHCOMPDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
.PHONY: uninstall
install: bin/ccapply bin/ccapply-sim
	$(INSTALL) -d "$(BINDIR)" "$(MAN1DIR)" "$(COMPDIR)" "$(ZSHCOMPDIR)" "$(FISHCOMPDIR)"
	$(INSTALL) -m 755 bin/ccapply bin/ccapply-sim "$(BINDIR)/"
	$(INSTALL) -m 644 docs/ccapply.1 docs/ccapply-sim.1 "$(MAN1DIR)/"
	$(INSTALL) -m 644 contrib/ccapply.bash-completion "$(COMPDIR)/ccapply"
	$(INSTALL) -m 644 contrib/_ccapply "$(ZSHCOMPDIR)/_ccapply"
	$(INSTALL) -m 644 contrib/ccapply.fish "$(FISHCOMPDIR)/ccapply.fish"
uninstall:
	rm -f "$(BINDIR)/ccapply" "$(BINDIR)/ccapply-sim" "$(MAN1DIR)/ccapply.1" \
		"$(MAN1DIR)/ccapply-sim.1" \
		"$(COMPDIR)/ccapply" "$(ZSHCOMPDIR)/_ccapply" "$(FISHCOMPDIR)/ccapply.fish"

# --- Debian package -----------------------------------------------------------
# make deb [DEB_DIR=build/deb]: builds DEB_DIR/ccapply_VERSION_ARCH.deb with
# dpkg-buildpackage from debian/, in a copy of the source tree (so neither this
# build/ nor the parent directory is touched), then runs lintian on it, failing
# on any error. Missing packaging tools are installed (scripts/install-deps.sh deb).
# The flags are dpkg-buildflags' (with hardening=+all): this make's own CFLAGS,
# SANITIZE or WERROR do not reach the package.
DEB_DIR  ?= build/deb
DEB_ARCH  = $(shell dpkg --print-architecture)
DEB_BASE  = ccapply_$(VERSION)_$(DEB_ARCH)
DEB_TOOLS := dpkg-buildpackage dh lintian dpkg-deb
.PHONY: deb
build/.deb-deps-ok: | build/.deps-ok
	@for c in $(DEB_TOOLS); do command -v $$c >/dev/null || missing="$$missing $$c"; done; \
	 [ -z "$$missing" ] || scripts/install-deps.sh deb
	@touch $@
deb: build/.deb-deps-ok
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || \
	 { echo "make deb: debian/changelog says $$v, the Makefile $(VERSION)" >&2; exit 1; }
	@case "$(DEB_DIR)" in ""|/) echo "make deb: bad DEB_DIR" >&2; exit 1;; esac
	rm -rf "$(DEB_DIR)" && mkdir -p "$(DEB_DIR)/ccapply-$(VERSION)"
	tar -c --exclude=./.git --exclude=./build --exclude=./bin --exclude='./t/trash.*' \
	    --exclude=./t/contract/node_modules --exclude='./fuzz/corpus*' -f - . | \
	    tar -x -C "$(DEB_DIR)/ccapply-$(VERSION)" -f -
	cd "$(DEB_DIR)/ccapply-$(VERSION)" && \
	  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS -u CPPFLAGS -u LDFLAGS -u SANITIZE \
	      -u WERROR DEB_BUILD_OPTIONS="$${DEB_BUILD_OPTIONS:-parallel=2}" \
	      dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
	  { tail -n 40 ../build.log >&2; echo "make deb: dpkg-buildpackage failed; $(DEB_DIR)/build.log" >&2; exit 1; }
	lintian --fail-on error "$(DEB_DIR)/$(DEB_BASE).changes"
	@echo "make deb: $(DEB_DIR)/$(DEB_BASE).deb"

# --- benchmarks (figures printed, never asserted; see docs/performance.md) --
BENCH_DIR ?= build/bench
bench: all
	BENCH_DIR=$(BENCH_DIR) scripts/bench.sh

# --- fuzzing: `make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="plan json"]` --------
# Not part of `make check`. libFuzzer targets fuzz/fuzz-NAME.c, linked with
# lib/ and the core modules compiled again by clang with ASan+UBSan into
# build/fuzz/ (the normal build is untouched). fuzz/run.sh runs each for
# FUZZ_SECONDS with its seed corpus testdata/fuzz/NAME/ (FUZZ_PARALLEL=N for
# N at a time); fuzz/toolchain.sh installs clang's fuzzer runtime if missing.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 $(filter-out -Werror -Wno-format-truncation,$(WARN)) -O1 -g \
                -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DCCAPPLY_VERSION='"$(VERSION)"' \
                -I. $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(PKG_CFLAGS)
FUZZ_NAMES   := $(patsubst fuzz/fuzz-%.c,%,$(wildcard fuzz/fuzz-*.c))
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_LIB     := build/fuzz/libfuzzed.a

.PHONY: fuzz fuzz-build
fuzz: fuzz-build
	FUZZ_PARALLEL=$(FUZZ_PARALLEL) fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)
fuzz-build: $(patsubst %,build/fuzz/fuzz-%,$(FUZZ_NAMES))

build/fuzz/.toolchain-ok:
	@mkdir -p build/fuzz
	@fuzz/toolchain.sh $(FUZZ_CC)
	@touch $@
build/fuzz/.flags: FORCE
	@mkdir -p build/fuzz
	@echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' | cmp -s - $@ 2>/dev/null || \
	 echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' > $@
build/fuzz/%.o: %.c build/fuzz/.flags build/fuzz/.toolchain-ok | build/.deps-ok
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<
$(FUZZ_LIB): $(patsubst %.c,build/fuzz/%.o,$(COMMON_SRC) $(CORE_SRC) \
              $(filter-out fuzz/fuzz-%.c,$(wildcard fuzz/*.c)))
	@rm -f $@; ar rcs $@ $^
build/fuzz/fuzz-%: build/fuzz/fuzz/fuzz-%.o $(FUZZ_LIB)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FUZZ_LIB) $(PKG_LIBS) -lm -lpthread

clean:
	rm -rf build bin t/trash.*
