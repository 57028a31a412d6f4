package intent

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestRules_Keys checks the keys derived from each rule against the
// training emails: a pattern that matched text holding none of its keys
// would be skipped in Classify, silently. It also counts the rules that
// got no keys (they always run).
func TestRules_Keys(t *testing.T) {
	var texts []string
	for _, path := range []string{"testdata/train.jsonl"} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var x struct{ Subject, Body string }
			if err := json.Unmarshal(sc.Bytes(), &x); err != nil {
				t.Fatal(err)
			}
			texts = append(texts, x.Subject, x.Body)
		}
		f.Close()
	}
	for _, rs := range [][]rule{bodyRules, subjectRules} {
		for _, ru := range rs {
			if ru.m.keys == nil {
				t.Logf("rule %s %q has no keys", ru.label, ru.m.re)
			}
			for _, s := range texts {
				if m := ru.m.re.FindString(s); m != "" && !scan(strings.ToLower(s)).may(ru.m) {
					t.Errorf("rule %s %q matched %q, but scan says it cannot", ru.label, ru.m.re, m)
				}
				for _, m := range ru.m.re.FindAllString(s, -1) {
					lm := strings.ToLower(m)
					ok := false
					for _, k := range ru.m.keys {
						if strings.Contains(lm, k) {
							ok = true
						}
					}
					if !ok {
						t.Errorf("rule %s %q matched %q, which holds none of its keys %q", ru.label, ru.m.re, m, ru.m.keys)
					}
				}
			}
		}
	}
}
