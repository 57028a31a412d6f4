package sphinx

// CommandDict exposes the embedded dictionary to the external tests.
func CommandDict() string { return commandDict }

// DecoyList exposes the embedded decoys.txt to the external tests.
func DecoyList() string { return decoyList }

// Overridden exposes overridden to the tests.
var Overridden = overridden

// MisspokenDecoys exposes misspokenDecoys, over a dictionary's text, to
// the tests.
func MisspokenDecoys(decoys map[string][]string, dict string) map[string]map[string]bool {
	return misspokenDecoys(decoys, pronunciations(dict))
}
