package backend_test

import (
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestMentionsCompetitor(t *testing.T) {
	names := []string{"Stackwise", "Build Buddy", "Nx"}
	tests := []struct {
		text, name, quote string
	}{
		{"Stackwise just raised prices 40%. Looking at alternatives.", "Stackwise", "Stackwise just raised prices 40%."},
		{"We looked at STACKWISE's pricing page. It is steep!", "Stackwise", "We looked at STACKWISE's pricing page."},
		{"Thanks. We're comparing you with stackwise and build buddy right now.", "Stackwise", "We're comparing you with stackwise and build buddy right now."},
		{"Stackwiser is a different company.", "", ""},
		{"our nx-cloud trial ended", "Nx", "our nx-cloud trial ended"},
		{"phoenix rises", "", ""}, // "nx" inside a word
		{"Build  Buddy has two spaces", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		name, quote := backend.MentionsCompetitor(tt.text, names)
		if name != tt.name || quote != tt.quote {
			t.Errorf("MentionsCompetitor(%q) = %q, %q; want %q, %q", tt.text, name, quote, tt.name, tt.quote)
		}
	}
	if name, _ := backend.MentionsCompetitor("Stackwise rocks", nil); name != "" {
		t.Errorf("MentionsCompetitor with no names = %q, want none", name)
	}
}
