// Package sphinxtest builds the voice corpus the recognizers are measured on:
// command phrases and out-of-grammar speech synthesized at test time with
// espeak-ng and flite in several voices and speeds, resampled and padded with
// sox, with white and pink noise from sox mixed in at a chosen
// signal-to-noise ratio, plus noise-only and silent clips. It also
// synthesizes the keyword classifier's training set (GenerateTraining),
// disjoint from the corpus: other espeak-ng voices and festival's ked, none
// of the corpus's out-of-grammar phrases nor a word that sounds like one,
// augmented with sox and mixed with noise. And it holds Scripted, a fake
// backend.Recognizer for tests of the layers above.
package sphinxtest
