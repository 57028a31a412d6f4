package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

type formInfo struct{ ID, Name string }

func (p *poller) listForms(ctx context.Context) error {
	if p.formsRead {
		return nil
	}
	after := ""
	for {
		q := url.Values{"limit": {strconv.Itoa(pageSize)}}
		if after != "" {
			q.Set("after", after)
		}
		var resp struct {
			Results []struct {
				ID       string `json:"id"`
				Name     string `json:"name"`
				Archived bool   `json:"archived"`
			} `json:"results"`
			Paging *struct {
				Next *struct {
					After string `json:"after"`
				} `json:"next"`
			} `json:"paging"`
		}
		if _, err := p.c.do(ctx, "hubspot.forms", http.MethodGet, "/marketing/v3/forms", q, nil, &resp); err != nil {
			return err
		}
		for _, f := range resp.Results {
			if !f.Archived {
				p.forms = append(p.forms, formInfo{ID: f.ID, Name: f.Name})
			}
		}
		if resp.Paging == nil || resp.Paging.Next == nil || resp.Paging.Next.After == "" {
			break
		}
		after = resp.Paging.Next.After
	}
	sort.Slice(p.forms, func(i, j int) bool { return p.forms[i].ID < p.forms[j].ID })
	p.formsRead = true
	return nil
}

// formsStep reads the new submissions of the next form whose turn it is
// (cur.After holds the last form guid done in this pass) and ends the pass
// after the last form.
func (p *poller) formsStep(ctx context.Context, cur *cursor) ([]*backend.Signal, error) {
	if err := p.listForms(ctx); err != nil {
		return nil, err
	}
	var f *formInfo
	for i := range p.forms {
		if p.forms[i].ID > cur.After {
			f = &p.forms[i]
			break
		}
	}
	if f == nil {
		// The pass is complete.
		cur.Since[phaseContacts], cur.Since[phaseDeals], cur.Since[phaseCompanies], cur.Since[phaseTasks] = cur.Upper, cur.Upper, cur.Upper, cur.Upper
		cur.Synced, cur.Phase, cur.After, cur.Seen, cur.From, cur.FromIncl = true, "", "", 0, 0, false
		return nil, nil
	}
	sigs, newest, err := p.submissions(ctx, f, cur.Forms[f.ID])
	if err != nil {
		return nil, err
	}
	if newest > cur.Forms[f.ID] {
		cur.Forms[f.ID] = newest
	}
	cur.After = f.ID
	return sigs, nil
}

type submission struct {
	ConversionID string `json:"conversionId"`
	SubmittedAt  int64  `json:"submittedAt"`
	Values       []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"values"`
	PageURL string `json:"pageUrl"`
}

// submissions pages a form's submissions (newest first) back to the
// watermark, or to the history window on a form seen for the first time.
func (p *poller) submissions(ctx context.Context, f *formInfo, watermark int64) ([]*backend.Signal, int64, error) {
	floor := watermark
	if floor == 0 {
		floor = p.now.Add(-p.c.window).UnixMilli() - 1
	}
	var subs []submission
	after := ""
	newest := watermark
loop:
	for {
		q := url.Values{"limit": {"50"}}
		if after != "" {
			q.Set("after", after)
		}
		var resp struct {
			Results []submission `json:"results"`
			Paging  *struct {
				Next *struct {
					After string `json:"after"`
				} `json:"next"`
			} `json:"paging"`
		}
		if _, err := p.c.do(ctx, "hubspot.forms.submissions", http.MethodGet,
			"/form-integrations/v1/submissions/forms/"+url.PathEscape(f.ID), q, nil, &resp); err != nil {
			return nil, 0, err
		}
		for _, s := range resp.Results {
			if s.SubmittedAt <= floor {
				break loop
			}
			subs = append(subs, s)
			newest = max(newest, s.SubmittedAt)
		}
		if resp.Paging == nil || resp.Paging.Next == nil || resp.Paging.Next.After == "" {
			break
		}
		after = resp.Paging.Next.After
	}
	var emails []string
	for _, s := range subs {
		for _, v := range s.Values {
			if v.Name == "email" {
				emails = append(emails, strings.ToLower(strings.TrimSpace(v.Value)))
			}
		}
	}
	known := map[string]*backend.Contact{}
	if len(emails) > 0 {
		objs, err := p.c.batchRead(ctx, "contacts", uniq(emails), contactProps, nil, "email")
		if err != nil {
			return nil, 0, err
		}
		for i := range objs {
			c := mapContact(&objs[i])
			known[c.Email] = c
		}
	}
	var out []*backend.Signal
	for _, s := range subs {
		fields := map[string]string{}
		for _, v := range s.Values {
			fields[v.Name] = v.Value
		}
		email := strings.ToLower(strings.TrimSpace(fields["email"]))
		if !backend.ValidEmail(email) {
			continue // a form.submitted signal needs the submitter's address
		}
		ct := known[email]
		if ct == nil {
			ct = &backend.Contact{ID: email, Email: email,
				Name: strings.TrimSpace(fields["firstname"] + " " + fields["lastname"])}
		}
		out = append(out, &backend.Signal{
			Source: backend.SourceHubSpot, Type: backend.SignalFormSubmitted,
			OccurredAt: time.UnixMilli(s.SubmittedAt).UTC(),
			DedupeKey:  "hubspot:form.submitted:" + nonEmpty(s.ConversionID, fmt.Sprintf("%s:%d:%s", f.ID, s.SubmittedAt, email)),
			ContactID:  ct.ID, Contact: ct,
			Form: &backend.FormSubmission{Form: nonEmpty(f.Name, f.ID), Fields: fields},
		})
	}
	return out, newest, nil
}
