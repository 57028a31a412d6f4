// Package tts reads text aloud through the operating system, offline:
// espeak-ng on Linux and `say` on macOS. Speech is queued and spoken one
// line at a time by one goroutine, so Say never waits for the audio and a
// new command's answer never talks over the previous one for long: a
// queue longer than a few lines drops the oldest.
package tts
