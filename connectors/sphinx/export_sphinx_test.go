//go:build sphinx

package sphinx

// Runs says how many utterances r has decoded, not counting those it
// answered from its last decode.
func Runs(r *Recognizer) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs
}
