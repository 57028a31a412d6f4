package hubspottest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

type form struct {
	id, name    string
	created     time.Time
	submissions []Submission // oldest first
}

// Submission is one filled-in form.
type Submission struct {
	ConversionID string
	SubmittedAt  time.Time
	Values       map[string]string
	PageURL      string
}

func (s *Server) listForms(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 20
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, 100)
	}
	after, _ := strconv.Atoi(q.Get("after"))
	s.mu.Lock()
	defer s.mu.Unlock()
	results := []map[string]any{}
	end := min(after+limit, len(s.forms))
	for _, f := range s.forms[min(after, len(s.forms)):end] {
		results = append(results, map[string]any{"id": f.id, "name": f.name, "formType": "hubspot",
			"createdAt": isoMillis(f.created), "updatedAt": isoMillis(f.created), "archived": false})
	}
	resp := map[string]any{"results": results}
	if end < len(s.forms) {
		resp["paging"] = map[string]any{"next": map[string]any{"after": strconv.Itoa(end)}}
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) listSubmissions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "limit must be between 1 and 50")
			return
		}
		limit = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var f *form
	for _, x := range s.forms {
		if x.id == r.PathValue("guid") {
			f = x
		}
	}
	if f == nil {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "form not found")
		return
	}
	// Newest first; after is opaque (here: how many to skip, encoded).
	skip := 0
	if v := q.Get("after"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "off:"))
		if err != nil || err2 != nil {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "invalid after")
			return
		}
		skip = n
	}
	subs := make([]Submission, len(f.submissions))
	for i, sub := range f.submissions {
		subs[len(subs)-1-i] = sub
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].SubmittedAt.After(subs[j].SubmittedAt) })
	page := subs[min(skip, len(subs)):]
	resp := map[string]any{}
	if len(page) > limit {
		page = page[:limit]
		next := base64.RawURLEncoding.EncodeToString([]byte("off:" + strconv.Itoa(skip+limit)))
		resp["paging"] = map[string]any{"next": map[string]any{"after": next,
			"link": fmt.Sprintf("%s/form-integrations/v1/submissions/forms/%s?after=%s", s.url, f.id, next)}}
	}
	results := []map[string]any{}
	for _, sub := range page {
		names := make([]string, 0, len(sub.Values))
		for k := range sub.Values {
			names = append(names, k)
		}
		sort.Strings(names)
		vals := []map[string]string{}
		for _, k := range names {
			vals = append(vals, map[string]string{"name": k, "value": sub.Values[k]})
		}
		results = append(results, map[string]any{"conversionId": sub.ConversionID, "submittedAt": sub.SubmittedAt.UnixMilli(),
			"values": vals, "pageUrl": sub.PageURL})
	}
	resp["results"] = results
	writeJSON(w, http.StatusOK, resp)
}
