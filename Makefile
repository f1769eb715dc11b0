# The README's commands. `make run` sets up what the workstation needs (the runtime libraries and their
# headers) and runs a release build on the bundled samples; `make test` adds the peers the tests compare
# with; `make install` and `make deb` install it for everyday use. As root, or with sudo.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y

# What building and running Biloba needs: ncursesw, libsixel, OpenJPEG, libjpeg-turbo, CharLS, zlib, SQLite.
RUNTIME_PACKAGES := libncurses-dev libsixel-dev libopenjp2-7-dev libturbojpeg0-dev libcharls-dev zlib1g-dev \
	libsqlite3-dev pkg-config
# What the tests add: the peers (DCMTK, GDCM, OpenJPH, Orthanc, pydicom; OpenJPEG's and libjpeg-turbo's own
# tools for reduced-resolution decodes), a real xterm under Xvfb, tmux,
# sshd for the thin-link harness, socat as a TLS terminator in front of dcmqrscp (which has no TLS), and
# what the install tests read the installed files with.
TEST_PACKAGES := dcmtk libgdcm-tools openjph-tools python3-pip xvfb xterm imagemagick tmux orthanc orthanc-dicomweb curl iproute2 \
	xdotool openssh-server man-db bash-completion zsh fish dpkg-dev dicom3tools libopenjp2-tools libjpeg-turbo-progs \
	xfonts-base socat
BENCH_PACKAGES := libsixel-bin chafa
# dpkg-shlibdeps, which reads the libraries the binary needs into the package's Depends.
DEB_PACKAGES := dpkg-dev

# The release build carries the Swift runtime inside the binary (-static-stdlib), so an installed
# biloba needs only Debian's libraries, not the toolchain.
RELEASE_FLAGS := -c release -Xswiftc -static-stdlib
BIN := .build/release/biloba
MANUALS := .build/plugins/GenerateManual/outputs/biloba
COMPLETIONS := .build/completions
PREFIX ?= /usr/local
DESTDIR ?=
ROOT := $(DESTDIR)$(PREFIX)
# zsh reads vendor completions under /usr, site functions under /usr/local.
ZSH_DIR := $(ROOT)/share/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)

.PHONY: all setup setup-runtime setup-tests setup-python build release run test fuzz bench samples install \
	uninstall deb check-install

.DEFAULT_GOAL := all

setup: setup-tests setup-python

# Without the libraries' recommendations: make run installs what Biloba needs and nothing else.
setup-runtime:
	$(SUDO) apt-get update
	$(APT_INSTALL) --no-install-recommends $(RUNTIME_PACKAGES)

# The runtime packages with the peers, in one apt transaction.
setup-tests:
	$(SUDO) apt-get update
	$(APT_INSTALL) $(RUNTIME_PACKAGES) $(TEST_PACKAGES)

# pydicom (with numpy and its codec plugins) is the peer the interop tests and benchmarks compare with;
# dicognito the de-identifier they compare with; dicom-anonymizer and dicom-standard carry PS3.15
# Table E.1-1, which the de-identification tests check against (and its generator reads); highdicom
# makes enhanced multi-frame objects and presentation states; pydicom-data holds pydicom's public test
# files (enhanced CT, multi-frame ultrasound, overlays).
PY_PACKAGES := pydicom numpy pylibjpeg pylibjpeg-openjpeg pyjpegls dicognito==0.19.0 dicom-anonymizer==2.1.0 \
	dicom-standard==0.1.0 highdicom==0.28.2 pydicom-data==1.0.0
setup-python:
	python3 -c 'import pydicom, numpy, openjpeg, jpeg_ls, dicognito, dicomanonymizer, highdicom, data_store, \
		importlib.metadata as m; m.distribution("dicom-standard")' 2>/dev/null || python3 -m pip install --quiet $(PY_PACKAGES) \
		|| python3 -m pip install --quiet --break-system-packages $(PY_PACKAGES)

build:
	swift build

release:
	swift build $(RELEASE_FLAGS) --product biloba

# The workstation on the bundled samples, in an archive of its own under .build/.
run: setup-runtime release
	mkdir -p -m 700 .build/samples-archive
	$(BIN) --archive .build/samples-archive Samples

# One test at a time: several suites run servers in this process (the Storage SCP), and tests that wait
# on child processes would otherwise hold the few threads those servers need. Then what `make install`
# and `make deb` deliver (after the Swift tests: a build of its own would wait for their .build).
test: setup
	swift test --no-parallel
	Tests/Install/check-install.sh

check-install:
	Tests/Install/check-install.sh

bench: setup
	$(APT_INSTALL) $(BENCH_PACKAGES)
	swift build $(RELEASE_FLAGS)
	.build/release/BilobaBenchmarks

fuzz:
	Tests/Fuzz/run-reader-fuzz.sh 600
	Tests/Fuzz/run-frame-fuzz.sh 600
	Tests/Fuzz/run-pdu-fuzz.sh 600
	Tests/Fuzz/run-association-fuzz.sh 600

samples:
	swift run biloba-samples Samples

# What `make install` copies, built as yourself by `make` (so `sudo make install` only copies): the
# release binary, man pages for biloba and every subcommand, made from the ArgumentParser definitions
# by swift-argument-parser's own plugin (so they say what the code does), and the completions. The
# plugin makes its own release build of every product (with the same flags but not the same build plan
# as `release`, so each of the two rebuilds what the other built): the install files come from the
# plugin's build alone, remade when a source, the manifest or the commit changed.
INSTALL_FILES := .build/install-files.stamp
SOURCES := Package.swift $(shell find Sources Keymaps -type f 2>/dev/null) $(wildcard .git/HEAD .git/index)

all: $(INSTALL_FILES)

$(INSTALL_FILES): $(SOURCES)
	swift package --disable-sandbox $(RELEASE_FLAGS) generate-manual --multi-page --configuration release \
		--authors 'The Biloba developers'
	# The generator keeps a discussion's paragraph breaks as blank lines, which mdoc warns about.
	sed -i 's/^$$/.Pp/' $(MANUALS)/*.1
	mkdir -p $(COMPLETIONS)
	$(BIN) --generate-completion-script bash > $(COMPLETIONS)/biloba.bash
	$(BIN) --generate-completion-script zsh > $(COMPLETIONS)/_biloba
	$(BIN) --generate-completion-script fish > $(COMPLETIONS)/biloba.fish
	touch $@

# PREFIX (default /usr/local) and DESTDIR (for packagers) as usual. The keymaps go where the binary
# looks for them: PREFIX/share/biloba/Keymaps.
install: $(INSTALL_FILES)
	install -d $(ROOT)/bin $(ROOT)/share/biloba/Keymaps $(ROOT)/share/man/man1 \
		$(ROOT)/share/bash-completion/completions $(ZSH_DIR) \
		$(ROOT)/share/fish/vendor_completions.d $(ROOT)/share/doc/biloba
	install -m 0755 -s $(BIN) $(ROOT)/bin/biloba
	install -m 0644 Keymaps/*.toml $(ROOT)/share/biloba/Keymaps/
	install -m 0644 $(MANUALS)/*.1 $(ROOT)/share/man/man1/
	install -m 0644 $(COMPLETIONS)/biloba.bash $(ROOT)/share/bash-completion/completions/biloba
	install -m 0644 $(COMPLETIONS)/_biloba $(ZSH_DIR)/_biloba
	install -m 0644 $(COMPLETIONS)/biloba.fish $(ROOT)/share/fish/vendor_completions.d/biloba.fish
	install -m 0644 README.md CHANGELOG.md $(ROOT)/share/doc/biloba/

uninstall:
	rm -f $(ROOT)/bin/biloba $(ROOT)/share/man/man1/biloba.1 $(ROOT)/share/man/man1/biloba.*.1 \
		$(ROOT)/share/bash-completion/completions/biloba $(ZSH_DIR)/_biloba \
		$(ROOT)/share/fish/vendor_completions.d/biloba.fish
	rm -rf $(ROOT)/share/biloba $(ROOT)/share/doc/biloba

# A Debian package from the same install step, depending on exactly the libraries the binary links
# (read by dpkg-shlibdeps): .build/biloba_VERSION_ARCH.deb.
DEB := .build/deb
deb:
	command -v dpkg-shlibdeps >/dev/null || $(APT_INSTALL) $(DEB_PACKAGES)
	rm -rf $(DEB)
	$(MAKE) install DESTDIR=$(CURDIR)/$(DEB)/root PREFIX=/usr
	mkdir -p $(DEB)/debian $(DEB)/root/DEBIAN
	printf 'Source: biloba\n\nPackage: biloba\nArchitecture: any\n' > $(DEB)/debian/control
	cd $(DEB) && dpkg-shlibdeps -O root/usr/bin/biloba | sed 's/^shlibs:Depends=//' > depends
	version=$$($(BIN) --version | cut -d' ' -f2); arch=$$(dpkg --print-architecture); \
	{ echo "Package: biloba"; echo "Version: $$version"; echo "Architecture: $$arch"; \
	  echo "Maintainer: The Biloba developers <biloba@users.noreply.github.com>"; \
	  echo "Depends: $$(cat $(DEB)/depends)"; echo "Section: science"; echo "Priority: optional"; \
	  echo "Installed-Size: $$(du -sk $(DEB)/root/usr | cut -f1)"; \
	  echo "Description: terminal radiology workstation"; \
	  echo " Browse local and remote DICOM studies, retrieve them into a local archive, and read"; \
	  echo " images in the terminal (sixel, kitty, iTerm2, Unicode blocks, ASCII), keyboard first."; \
	} > $(DEB)/root/DEBIAN/control; \
	dpkg-deb --build --root-owner-group $(DEB)/root .build/biloba_$${version}_$${arch}.deb
