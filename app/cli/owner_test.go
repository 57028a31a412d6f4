package cli_test

import (
	"strings"
	"testing"

	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
)

// TestConnected_OwnerNotInvited: with no owner email in Settings, the
// connected Google account's address is the owner's, so a call Dana
// proposes on a thread the owner is on never invites the owner.
func TestConnected_OwnerNotInvited(t *testing.T) {
	w := newConnectedWorkspace(t)
	owner := w.mail.Owner()
	w.mail.Deliver(gmailtest.Message{From: "Dana Whitfield <dana@northwind.io>", To: []string{strings.ToUpper(owner), "lee@northwind.io"},
		Subject: "Call about the rollout", Body: "Hi Casey,\n\nCould we talk Thursday afternoon about the rollout? Lee will join.\n\nDana"})
	if code, out, errb := w.run(t, "", "sync", "--once"); code != 0 {
		t.Fatalf("sync: %d %q %q", code, out, errb)
	}
	var found bool
	for _, m := range w.today(t).Moves {
		if m.Kind != "schedule_meeting" || !strings.Contains(strings.Join(m.Draft.To, ","), "dana@northwind.io") {
			continue
		}
		found = true
		for _, a := range m.Draft.To {
			if strings.EqualFold(a, owner) {
				t.Errorf("the invite %q lists the owner %s among its attendees %v", m.Title, owner, m.Draft.To)
			}
		}
	}
	if !found {
		t.Fatal("no schedule_meeting move for Dana's call")
	}
}
