// Package sphinxtest builds the voice corpus the recognizer is measured on:
// command phrases and out-of-grammar speech synthesized at test time with
// espeak-ng in several voices and speeds, resampled and padded with sox,
// with white and pink noise from sox mixed in at a chosen signal-to-noise
// ratio, plus noise-only and silent clips. It also holds Scripted, a fake
// backend.Recognizer for tests of the layers above.
package sphinxtest
