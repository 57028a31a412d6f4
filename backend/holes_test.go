package backend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestFindTemplateHoles(t *testing.T) {
	tests := []struct {
		name          string
		subject, body string
		want          []string // TemplateHole.String() of each, in order
	}{
		{
			name:    "the follow-up that went out with an empty bullet",
			subject: "Thanks — next steps after Finch Payments × Forgeline technical deep dive",
			body:    "Hi Priya,\n\nThanks for the time. Recap and next steps:\n\n- \n\nCasey Morgan",
			want:    []string{"line 5: an empty bullet '- '"},
		},
		{
			name:    "a mail-merge template nobody filled in",
			subject: "[Company] <> Forgeline",
			body:    "Hi {{first_name}},\n\nTeams like [Company] cut CI from 22 to 6 minutes.\nTODO: add the case study\nSaves XXX hours a month.\n\n1.\n* \n- [ ]\n",
			want: []string{
				"the subject: a placeholder '[Company]'",
				"line 1: a placeholder '{{first_name}}'",
				"line 3: a placeholder '[Company]'",
				"line 4: a to-do marker 'TODO'",
				"line 5: a to-do marker 'XXX'",
				"line 7: an empty bullet '1.'",
				"line 8: an empty bullet '* '",
				"line 9: an empty bullet '- [ ]'",
			},
		},
		{
			name: "placeholders in every form", body: "Hi [First Name],\nIt saves you [X] hours.\n[insert case study link]\nBest, {{ sender.name }}\r\nFIXME",
			want: []string{
				"line 1: a placeholder '[First Name]'",
				"line 2: a placeholder '[X]'",
				"line 3: a placeholder '[insert case study link]'",
				"line 4: a placeholder '{{ sender.name }}'",
				"line 5: a to-do marker 'FIXME'",
			},
		},
		{
			name:    "a real reply with footnotes, links and a checklist",
			subject: "Re: [EXTERNAL] Security review [#4821]",
			body: strings.Join([]string{
				"Hi Tom,",
				"",
				"The SOC 2 report is attached [1], and the pen test summary is on our [trust page](https://forgeline.dev/trust).",
				"Where we are:",
				"- [x] SOC 2 Type II report",
				"- [X] DPA signed",
				"- [ ] Pen test summary (Friday)",
				"* Data stays in eu-west-1",
				"1. Kickoff on Monday",
				"",
				"Your auditors' note said the logs were \"incomplete [sic]\"; they are kept 400 days [2][3].",
				"Our todo list app and Mastodon account are unrelated. TODOs are done.",
				"Photo: [image: Forgeline logo] <mailto:casey@forgeline.dev>",
				"The index is arr[i] in the snippet; see [the docs][docs].",
				"* * *",
				"",
				"[1]: https://forgeline.dev/soc2.pdf",
				"[docs]: https://forgeline.dev/docs",
				"",
				"-- ",
				"Casey Morgan",
				"",
				"On Tue, Tom Ashby <tom.ashby@ledgerly.com> wrote:",
				"> Hi [Name], TODO: send {{report}}",
				"> - ",
			}, "\n"),
		},
		{
			name:    "a forwarded message below the note is someone else's text",
			subject: "Fwd: Welcome to Stackwise",
			body:    "Worth a look.\n\n---------- Forwarded message ---------\nHi [First Name],\n- \n",
		},
		{
			name: "a mailing-list tag and a signature dash", subject: "Re: [bazel-discuss] Remote cache hit rates",
			body: "Happy to share numbers.\n\n—\nCasey",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, h := range backend.FindTemplateHoles(tt.subject, tt.body) {
				got = append(got, h.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("FindTemplateHoles() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// Hostile drafts (megabytes of brackets or braces) are read in linear time.
func TestFindTemplateHoles_Hostile(t *testing.T) {
	for _, body := range []string{strings.Repeat("{{", 1<<20), strings.Repeat("[", 1<<20), strings.Repeat("[a]", 1<<18), strings.Repeat("X", 1<<20)} {
		done := make(chan int, 1)
		go func() { done <- len(backend.FindTemplateHoles(body[:64], body)) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("FindTemplateHoles on %d bytes of %q did not finish in 5 s", len(body), body[:4])
		}
	}
}

// A draft that still holds template text is not sent: the preview names
// the holes, execution is refused (EINVALID, naming the line) with nothing
// recorded, and only an explicit override sends it, noted in the audit.
func TestQueue_ExecuteRefusesTemplateHoles(t *testing.T) {
	f := newExecFixture(t)
	m := f.reply(t, "h1", "maya@acme.io")
	d := m.Draft
	d.Body = "Hi Maya,\n\nRecap and next steps:\n- \n\nCasey"
	if _, err := f.q.Moves.EditDraft(f.ctx, m.ID, d, backend.ActorKey); err != nil {
		t.Fatal(err)
	}
	p, err := f.q.Executions.Preview(f.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Holes) != 1 || p.Holes[0].String() != "line 4: an empty bullet '- '" {
		t.Fatalf("Preview().Holes = %v, want the empty bullet on line 4", p.Holes)
	}
	_, exec, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey})
	if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), "line 4: an empty bullet '- '") || exec != nil {
		t.Fatalf("Execute() = %v, %v; want EINVALID naming line 4 and no execution", exec, err)
	}
	if got := f.status(t, m.ID); got != backend.StatusPending {
		t.Errorf("after the refusal the move is %s, want pending", got)
	}
	// An auto-approval rule has no way to override.
	_, _, err = f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorRule, Why: "rule “replies”"})
	if backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("Execute(rule) = %v, want EINVALID", err)
	}
	_, exec, err = f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey, PreviewHash: p.Hash, AllowTemplate: true})
	if err != nil || exec == nil {
		t.Fatalf("Execute(AllowTemplate) = %v, %v", exec, err)
	}
	f.clock.Advance(time.Minute)
	f.tick(t)
	if f.mail.count() != 1 {
		t.Fatalf("%d emails sent after the override, want 1", f.mail.count())
	}
	list, _, err := f.q.Audit.Entries(f.ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	noted := false
	for _, e := range list {
		if e.Action == backend.AuditExecPlanned && e.MoveID == m.ID {
			noted = strings.Contains(e.Detail, "template text kept on purpose: line 4: an empty bullet '- '")
		}
	}
	if !noted {
		t.Errorf("the audit log does not record the override of line 4")
	}
}

// Notes stay on this computer: a TODO in one is the founder's own business.
func TestQueue_NoteWithTodoIsNotRefused(t *testing.T) {
	p := &backend.Plan{Kind: backend.KindNote, Note: &backend.PlanNote{Subject: "Prep", Body: "TODO: ask about budget\n- "}}
	if h := p.TemplateHoles(); len(h) != 0 {
		t.Errorf("TemplateHoles(note) = %v, want none", h)
	}
}
