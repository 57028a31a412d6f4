package backend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// TestTaskAction_PlanNamesAssociations: the preview names the contact and
// the deal a task is attached to, by their names when known.
func TestTaskAction_PlanNamesAssociations(t *testing.T) {
	move := &backend.Move{ID: 7, Kind: backend.KindCreateTask, Title: "Find a working address", ContactID: "1009", DealID: "9007",
		Draft: backend.Draft{TaskTitle: "Find a working address for Mark Ellis"}}
	tests := []struct {
		name    string
		contact *backend.Contact
		deal    *backend.Deal
		move    *backend.Move
		want    string
	}{
		{"Names", &backend.Contact{ID: "1009", Name: "Mark Ellis", Email: "mark.ellis@verdantschools.org"}, &backend.Deal{ID: "9007", Name: "Verdant — Classroom pilot"}, move,
			"Associated with Mark Ellis (contact) and Verdant — Classroom pilot (deal)"},
		{"EmailWhenNoName", &backend.Contact{ID: "1009", Email: "mark.ellis@verdantschools.org"}, &backend.Deal{ID: "9007"}, move,
			"Associated with mark.ellis@verdantschools.org (contact) and deal 9007"},
		{"IDsWhenUnknown", nil, nil, move, "Associated with contact 1009 and deal 9007"},
		{"DealOnly", nil, &backend.Deal{ID: "9007", Name: "Verdant — Classroom pilot"},
			&backend.Move{ID: 7, Kind: backend.KindCreateTask, Title: "x", DealID: "9007", Draft: backend.Draft{TaskTitle: "x"}},
			"Associated with Verdant — Classroom pilot (deal)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := backend.TaskAction{}.Plan(context.Background(), backend.PlanInput{Move: tt.move, Contact: tt.contact, Deal: tt.deal, Settings: backend.DefaultSettings(), Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for _, e := range p.Effects {
				if strings.HasPrefix(e, "Associated with") {
					got = e
				}
			}
			if got != tt.want {
				t.Errorf("Plan().Effects association = %q, want %q", got, tt.want)
			}
		})
	}
}
