// Package kws recognizes CaseyOS's spoken commands offline with a keyword
// classifier, in pure Go (no cgo). It computes the audio features of
// openWakeWord: the mel spectrogram of openWakeWord's melspectrogram.onnx
// and, for every 76-frame window of it (80 ms apart), the 96-value speech
// embedding of Google's speech_embedding model (embedding_model.onnx), both
// Apache-2.0 and read from their ONNX files with a minimal reader of the
// format (make voice-models fetches them). A small trained head — a
// one-hidden-layer network over the last 16 embeddings of an utterance,
// commands.head, built into the binary — gives each command's probability
// and that of "none"; Recognizer accepts the likeliest command when it
// reaches the threshold. Package kwstrain makes a head from labelled
// clips; the developer command connectors/voice/cmd/voicelab (make
// voice-train) writes commands.head with it, and its SHA-256 to
// commands.head.sha256. Neither is linked into the app.
//
// Input is 16 kHz mono audio as int16 samples, unnormalized; the mel frames
// come back scaled as openWakeWord feeds them to the embedding model
// (x/10 + 2). The convolutions run as packed matrix products (internal/gemm), with an
// AVX2/FMA kernel in Go assembly on amd64 CPUs that have it and a portable
// Go kernel elsewhere (and under the purego build tag).
package kws
