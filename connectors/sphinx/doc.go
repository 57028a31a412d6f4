// Package sphinx is the offline command recognizer: cgo to pocketsphinx
// (Debian's libpocketsphinx with the pocketsphinx-en-us model), built only
// with the "sphinx" build tag so that a machine without the library still
// builds and tests everything else. Without the tag, New returns an
// unavailable error and the rest of CaseyOS works without voice.
//
// Each utterance is decoded up to three times. The first pass is a JSGF
// grammar of the command phrases (exactly one phrase per utterance); it
// maps almost any speech to some phrase, so on its own it would act on a
// misheard word. The second pass is an unconstrained phone loop over the
// same audio: a command is accepted only when the grammar's acoustic score
// per frame is close to the phone loop's (the grammar explains the audio
// about as well as free phones do) and the phones the loop heard are close
// to the phrase's pronunciation. That rejects sentences and noise, but not
// words that share most of a command's phones ("skipping", "reading"), so
// the third pass decodes the audio against the heard command and its
// decoys (decoys.go), and a decoy that wins rejects the command.
// docs/benchmarks.md records what this measures on the espeak-ng and flite
// corpus.
//
// On Linux the library is linked statically (libpocketsphinx.a and
// libsphinxbase.a), so the binary needs only the model files at run time.
package sphinx
