package app

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// TestPreview_NoBareCRMIDs: every move kind's preview — the window's
// Preview and the execution plan's effects and undo line — names the
// contacts and deals the workspace knows instead of showing their CRM ids
// ("Merge contact 102 into 101" reads as nothing to a founder).
func TestPreview_NoBareCRMIDs(t *testing.T) {
	e := newExecEnv(t)
	err := e.db.Update(context.Background(), func(tx backend.Tx) error {
		return tx.PutContact(&backend.Contact{ID: "102", Email: "dana.w@northwind.io", Name: "Dana Whitfield"})
	})
	if err != nil {
		t.Fatal(err)
	}
	due := execNow.Add(48 * time.Hour)
	tests := []struct {
		name string
		move *backend.Move
		want string // a line the preview must show
	}{
		{"SendEmail", &backend.Move{Kind: backend.KindSendEmail, ContactID: "101", DealID: "301",
			Draft: backend.Draft{To: []string{"dana@northwind.io"}, Subject: "Re: pilot", Body: "Hi Dana", ThreadID: "18c2f0a1b2", InReplyTo: "<x@northwind.io>"}},
			"dana@northwind.io"},
		{"CreateTask", &backend.Move{Kind: backend.KindCreateTask, ContactID: "101", DealID: "301",
			Draft: backend.Draft{TaskTitle: "Send the security review", TaskDue: due}},
			"Associated with Dana (contact) and Northwind (deal)"},
		{"UpdateDeal", &backend.Move{Kind: backend.KindUpdateDeal, ContactID: "101", DealID: "301",
			Draft: backend.Draft{DealStage: "closedwon"}},
			"Move Northwind to"},
		{"MergeContacts", &backend.Move{Kind: backend.KindMergeContacts, ContactID: "101",
			Draft: backend.Draft{MergeIDs: []string{"101", "102"}}},
			"Merge Dana Whitfield <dana.w@northwind.io> into Dana <dana@northwind.io> (cannot be undone)"},
		{"ScheduleMeeting", &backend.Move{Kind: backend.KindScheduleMeeting, ContactID: "101", DealID: "301",
			Draft: backend.Draft{To: []string{"dana@northwind.io"}, Subject: "Pilot review", Duration: 30 * time.Minute}},
			"dana@northwind.io"},
		{"Note", &backend.Move{Kind: backend.KindNote, ContactID: "101", DealID: "301",
			Draft: backend.Draft{Subject: "Dana prefers mornings"}},
			"Dana prefers mornings"},
		{"ReplySocial", &backend.Move{Kind: backend.KindReplySocial, ContactID: "101",
			Draft: backend.Draft{PostID: "1790000000000000001", Body: "Thanks @dana!", Fields: map[string]string{"author": "dana"}}},
			"@dana's post"},
	}
	// The CRM ids the workspace knows by name, and the thread and post ids
	// that mean nothing to a person.
	bare := regexp.MustCompile(`\b(101|102|301|18c2f0a1b2|1790000000000000001)\b`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.move.Subject = backend.Subject{Type: backend.SubjectContact, ID: "101"}
			id := e.move(tt.move)
			var lines []string
			p, err := e.app.bound.Execution.PreviewExecution(id)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, p.DraftEffects...)
			lines = append(lines, p.Summary)
			lines = append(lines, p.Effects...) // none for an X reply: no connector, no plan
			lines = append(lines, p.Undo)
			all := strings.Join(lines, " | ")
			if !strings.Contains(all, tt.want) {
				t.Errorf("preview = %q, want a line with %q", all, tt.want)
			}
			for _, l := range lines {
				if id := bare.FindString(l); id != "" {
					t.Errorf("preview line %q shows the bare id %s", l, id)
				}
			}
		})
	}
}
