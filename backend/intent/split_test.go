package intent_test

import (
	"testing"

	"github.com/caseyos/caseyos/backend/intent"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct{ name, in, reply, quoted string }{
		{"Plain", "Sounds good.\n\nDana", "Sounds good.\n\nDana", ""},
		{"Gmail", "Thursday works.\r\n\r\nOn Tue, Dec 1, 2026 at 9:14 AM Casey <casey@pebblecache.io> wrote:\r\n> Would a call help?\r\n", "Thursday works.", "On Tue, Dec 1, 2026 at 9:14 AM Casey <casey@pebblecache.io> wrote:\n> Would a call help?"},
		{"GmailWrapped", "Yes please.\n\nOn Tue, Dec 1, 2026 at 9:14 AM Casey Smith\n<casey@pebblecache.io> wrote:\n> hi", "Yes please.", "On Tue, Dec 1, 2026 at 9:14 AM Casey Smith\n<casey@pebblecache.io> wrote:\n> hi"},
		{"Outlook", "Not now, thanks.\n\nFrom: Casey <casey@pebblecache.io>\nSent: Monday, December 1, 2026 9:00 AM\nTo: Ana\nSubject: hello", "Not now, thanks.", "From: Casey <casey@pebblecache.io>\nSent: Monday, December 1, 2026 9:00 AM\nTo: Ana\nSubject: hello"},
		{"OriginalMessage", "ok\n-----Original Message-----\nold", "ok", "-----Original Message-----\nold"},
		{"German", "Passt.\n\nAm 01.12.2026 um 09:14 schrieb Casey <c@p.io>:\n> hallo", "Passt.", "Am 01.12.2026 um 09:14 schrieb Casey <c@p.io>:\n> hallo"},
		{"InlineAnswers", "> Would Thursday work?\nYes, 3pm.\n> Seats?\n40.", "> Would Thursday work?\nYes, 3pm.\n> Seats?\n40.", ""},
		{"TrailingQuote", "Yes.\n> Would Thursday work?\n> Thanks", "Yes.", "> Would Thursday work?\n> Thanks"},
		{"FromInProse", "From: the team, thanks!\nWe loved it.", "From: the team, thanks!\nWe loved it.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reply, quoted := intent.Split(tc.in)
			if reply != tc.reply || quoted != tc.quoted {
				t.Errorf("Split(%q)\n = %q, %q\nwant %q, %q", tc.in, reply, quoted, tc.reply, tc.quoted)
			}
		})
	}
}
