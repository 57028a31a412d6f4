// Package sphinxtest builds the voice corpus the recognizers are measured on:
// command phrases and out-of-grammar speech synthesized at test time with
// espeak-ng and flite in several voices and speeds, resampled and padded with
// sox, with white and pink noise from sox mixed in at a chosen
// signal-to-noise ratio, plus noise-only and silent clips. It also holds
// Scripted, a fake backend.Recognizer for tests of the layers above. The
// keyword classifier's training set, disjoint from the corpus, is
// synthesized by the developer command connectors/voice/cmd/voicelab.
package sphinxtest
