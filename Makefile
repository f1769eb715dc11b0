# The two commands of the README: `make run` and `make test`, each setting up a fresh Debian machine first.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_PACKAGES := libncurses-dev libsixel-dev libopenjp2-7-dev libturbojpeg0-dev libcharls-dev zlib1g-dev \
	libsqlite3-dev pkg-config dcmtk libgdcm-tools openjph-tools python3-pip xvfb xterm imagemagick tmux \
	orthanc curl iproute2 xdotool openssh-server
BENCH_PACKAGES := libsixel-bin chafa

.PHONY: setup setup-system setup-python build run test fuzz bench samples

setup: setup-system setup-python

setup-system:
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $(APT_PACKAGES)

# pydicom (with numpy and its codec plugins) is the peer the interop tests and benchmarks compare with.
PY_PACKAGES := pydicom numpy pylibjpeg pylibjpeg-openjpeg pyjpegls
setup-python:
	python3 -c 'import pydicom, numpy, openjpeg, jpeg_ls' 2>/dev/null || python3 -m pip install --quiet $(PY_PACKAGES) \
		|| python3 -m pip install --quiet --break-system-packages $(PY_PACKAGES)

build:
	swift build

# The workstation on the bundled samples, in an archive of its own under .build/.
run: setup build
	mkdir -p .build/samples-archive
	.build/debug/biloba --archive .build/samples-archive Samples

# One test at a time: several suites run servers in this process (the Storage SCP), and tests that wait
# on child processes would otherwise hold the few threads those servers need.
test: setup
	swift test --no-parallel

bench: setup
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $(BENCH_PACKAGES)
	swift build -c release
	.build/release/BilobaBenchmarks

fuzz:
	Tests/Fuzz/run-reader-fuzz.sh 600
	Tests/Fuzz/run-frame-fuzz.sh 600
	Tests/Fuzz/run-pdu-fuzz.sh 600
	Tests/Fuzz/run-association-fuzz.sh 600

samples:
	swift run biloba-samples Samples
