// Package kws computes the audio features of openWakeWord offline, in pure
// Go (no cgo): the mel spectrogram of openWakeWord's melspectrogram.onnx and,
// for every 76-frame window of it (80 ms apart), the 96-value speech
// embedding of Google's speech_embedding model (embedding_model.onnx), both
// Apache-2.0 and read from their ONNX files with a minimal reader of the
// format. Input is 16 kHz mono audio as int16 samples, unnormalized; the mel
// frames come back scaled as openWakeWord feeds them to the embedding model
// (x/10 + 2). The convolutions run as packed matrix products, with an
// AVX2/FMA kernel in Go assembly on amd64 CPUs that have it and a portable
// Go kernel elsewhere (and under the purego build tag).
package kws
