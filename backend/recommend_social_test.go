package backend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestRecommend_Social(t *testing.T) {
	at := testNow.Add(-2 * time.Hour)
	post := func(typ backend.SignalType, p backend.Post, contact, deal string) *backend.Signal {
		return &backend.Signal{Source: backend.SourceX, Type: typ, OccurredAt: at, DedupeKey: "x:post:" + p.ID, Post: &p, ContactID: contact, DealID: deal}
	}
	kinds := func(ps []backend.Proposal) string {
		var out []string
		for _, p := range ps {
			k := string(p.Kind)
			if p.Draft.Fields["mode"] == "like" {
				k = "like"
			}
			out = append(out, k)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name  string
		sig   *backend.Signal
		kinds string
		title string
		why   string
	}{
		{"a quiet mention is liked", post(backend.SignalSocialMention, backend.Post{ID: "1", Author: "quietdev", Text: "using @pebblecache today", Followers: 40}, "", ""),
			"like", "Like @quietdev's post: using @pebblecache today", "@quietdev (40 followers) mentioned us"},
		{"a verified author with some reach gets a reply", post(backend.SignalSocialMention, backend.Post{ID: "2", Author: "bigco", Text: "@pebblecache is neat", Followers: 150, Verified: true}, "", ""),
			"reply_social", "Reply to @bigco: is neat", "Worth a reply: @bigco has 150 followers, verified"},
		{"a known prospect gets a reply and a sales follow-up", post(backend.SignalSocialMention, backend.Post{ID: "3", Author: "mayachen", Text: "Evaluating @pebblecache for our monorepo", Followers: 12}, "maya@acme.io", "d1"),
			"reply_social,create_task", "Reply to @mayachen: Evaluating @pebblecache for our monorepo", "Worth a reply: @mayachen is Maya Chen, a known contact at Acme"},
		{"a customer gets a reply in CS", post(backend.SignalSocialMention, backend.Post{ID: "4", Author: "ola", Text: "@pebblecache down?"}, "ops@globex.io", ""),
			"reply_social", "Reply to @ola: down?", "Worth a reply: Ola P is a customer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.sig.Normalize()
			got := backend.Recommend(tt.sig, testRecords(), backend.DefaultSettings(), testNow, time.UTC)
			if k := kinds(got); k != tt.kinds {
				t.Fatalf("Recommend = %s, want %s", k, tt.kinds)
			}
			if got[0].Title != tt.title {
				t.Errorf("title = %q, want %q", got[0].Title, tt.title)
			}
			if why := backend.RenderReasons(got[0].Why, testNow, time.UTC); !strings.Contains(strings.Join(why, " | "), tt.why) {
				t.Errorf("why = %q, want it to contain %q", why, tt.why)
			}
		})
	}
	t.Run("LeadMoveNamesThePerson", func(t *testing.T) {
		got := backend.Recommend(post(backend.SignalSocialMention, backend.Post{ID: "3", Author: "mayachen", Text: "Evaluating @pebblecache"}, "maya@acme.io", "d1"),
			testRecords(), backend.DefaultSettings(), testNow, time.UTC)
		lead := got[1]
		if lead.Title != "Follow up with Maya Chen at Acme: they posted about us on X" || lead.DealID != "d1" || lead.Domain != backend.DomainSales {
			t.Errorf("lead move = %q deal %q domain %s", lead.Title, lead.DealID, lead.Domain)
		}
	})
}
