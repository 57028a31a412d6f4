package backend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// TestMergeAction_PlanNamesContacts: a merge's plan names both contacts by
// name and email, falling back to the email, then to the id only when the
// record is unknown; the result and the "cannot tell" message say the same.
func TestMergeAction_PlanNamesContacts(t *testing.T) {
	move := &backend.Move{ID: 3, Kind: backend.KindMergeContacts, Draft: backend.Draft{MergeIDs: []string{"1005", "1012"}}}
	priya := &backend.Contact{ID: "1005", Name: "Priya Raman", Email: "priya@brightpath.io"}
	tests := []struct {
		name    string
		merging []*backend.Contact
		want    string
	}{
		{"Names", []*backend.Contact{priya, {ID: "1012", Name: "Priya Raman", Email: "priya.raman@gmail.com"}},
			"Merge Priya Raman <priya.raman@gmail.com> into Priya Raman <priya@brightpath.io> (cannot be undone)"},
		{"EmailWhenNoName", []*backend.Contact{priya, {ID: "1012", Email: "priya.raman@gmail.com"}},
			"Merge priya.raman@gmail.com into Priya Raman <priya@brightpath.io> (cannot be undone)"},
		{"IDWhenUnknown", []*backend.Contact{priya, nil},
			"Merge contact 1012 into Priya Raman <priya@brightpath.io> (cannot be undone)"},
		{"IDWhenAnotherRecord", []*backend.Contact{{ID: "77", Name: "Someone Else"}, nil},
			"Merge contact 1012 into contact 1005 (cannot be undone)"},
		{"NoRecords", nil, "Merge contact 1012 into contact 1005 (cannot be undone)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := backend.MergeAction{CRM: &mergeCRM{}}.Plan(context.Background(), backend.PlanInput{Move: move, Merging: tt.merging, Settings: backend.DefaultSettings(), Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if p.Effects[0] != tt.want {
				t.Errorf("Plan().Effects[0] = %q, want %q", p.Effects[0], tt.want)
			}
			_, _, err = backend.MergeAction{}.Find(context.Background(), p)
			if want := strings.TrimPrefix(strings.TrimSuffix(tt.want, " (cannot be undone)"), "Merge "); !strings.Contains(backend.ErrorMessage(err), strings.Replace(want, " into ", " was merged into ", 1)) {
				t.Errorf("Find() = %q, want it to name %q", backend.ErrorMessage(err), want)
			}
		})
	}
}

// TestSocialAction_PlanNamesAuthor: a reply names whose post it answers
// when the draft knows, and the post id only when it does not.
func TestSocialAction_PlanNamesAuthor(t *testing.T) {
	for _, tt := range []struct {
		name   string
		fields map[string]string
		want   string
	}{
		{"Author", map[string]string{"author": "ana"}, "Reply publicly to @ana's post: “Thanks!”"},
		{"AuthorWithAt", map[string]string{"author": "@ana"}, "Reply publicly to @ana's post: “Thanks!”"},
		{"Unknown", nil, "Reply publicly to post 555: “Thanks!”"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := &backend.Move{ID: 4, Kind: backend.KindReplySocial, Draft: backend.Draft{PostID: "555", Body: "Thanks!", Fields: tt.fields}}
			p, err := backend.SocialAction{}.Plan(context.Background(), backend.PlanInput{Move: m, Settings: backend.DefaultSettings(), Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if p.Effects[0] != tt.want {
				t.Errorf("Plan().Effects[0] = %q, want %q", p.Effects[0], tt.want)
			}
		})
	}
}
