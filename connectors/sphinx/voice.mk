# voice.mk — offline voice: libraries, model, test audio tools, and the
# voice test tier. Included by the top-level Makefile.
#
#   make voice-deps   install pocketsphinx (static libs + en-us model, sphinx_lm_convert),
#                     espeak-ng, flite, sox, PulseAudio
#   make test-voice   the espeak-ng and flite corpus through the real recognizer, and
#                     WAVs played into a PulseAudio null sink, captured through
#                     malgo into `caseyos voice listen` (never skips)
#
# Build a binary with voice: go build -tags sphinx . (pocketsphinx is linked
# statically on Linux; only the model files are needed at run time).

VOICE_APT := libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us sphinxbase-utils espeak-ng flite sox pulseaudio pulseaudio-utils

.PHONY: voice-deps test-voice

EXTRA_TEST_TIERS += test-voice

voice-deps:
	@if [ "$$(uname -s)" = "Darwin" ]; then \
	  echo "macOS: brew install cmu-pocketsphinx espeak-ng sox (say is built in)"; \
	elif command -v apt-get >/dev/null; then \
	  missing=""; for p in $(VOICE_APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing:$$missing"; \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	  fi; \
	else \
	  echo "Install $(VOICE_APT) yourself."; exit 1; \
	fi

# PulseAudio is started here, private to the run (temp XDG_RUNTIME_DIR), so
# the tests never touch a desktop session's sound server.
test-voice: voice-deps
	@mkdir -p build; rt=$$(mktemp -d); export XDG_RUNTIME_DIR=$$rt; \
	pulseaudio -n --daemonize=yes --exit-idle-time=-1 -L module-native-protocol-unix \
	  -L "module-null-sink sink_name=vsink" >/dev/null 2>&1 || { echo "pulseaudio did not start"; exit 1; }; \
	trap 'pulseaudio --kill >/dev/null 2>&1; rm -rf '"$$rt" EXIT; \
	pactl set-default-source vsink.monitor; \
	CASEYOS_VOICE_REPORT=$(CURDIR)/build/voice-report.md go test -tags sphinx -count=1 -timeout 10m \
	  ./connectors/sphinx/... ./connectors/mic/... ./connectors/tts/... ./backend/ ./backend/vad/ && \
	CASEYOS_VOICE_PULSE=1 CASEYOS_VOICE_LATENCY_REPORT=$(CURDIR)/build/voice-latency.txt \
	  go test -tags sphinx -count=1 -timeout 5m -run 'TestVoice_PulseAudio' ./app/ && \
	cat build/voice-report.md build/voice-latency.txt
