package gmailtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/internal/googlefake"
)

// Units is Gmail's published quota cost of each method, in quota units.
var Units = map[string]int{
	"users.getProfile": 1, "users.labels.list": 1, "users.history.list": 2,
	"users.messages.list": 5, "users.messages.get": 5, "users.messages.modify": 5, "users.messages.attachments.get": 5,
	"users.drafts.get": 5, "users.drafts.list": 5, "users.drafts.create": 10, "users.drafts.delete": 10,
	"users.threads.get": 10, "users.threads.list": 10, "users.drafts.update": 15,
	"users.messages.send": 100, "users.drafts.send": 100,
}

// Options configure a Server.
type Options struct {
	Owner     string // the mailbox address; "" = casey@pebblecache.dev
	OwnerName string
	// TokenValid says whether a bearer token is good (googletest.Server.Valid);
	// nil accepts any non-empty token.
	TokenValid func(token string) bool
	// StartHistoryID is the first history id; 0 = 4100.
	StartHistoryID uint64
	Now            func() time.Time
}

// Fault is an error the fake answers instead of serving a request
// (Method: "users.history.list" …).
type Fault = googlefake.Fault

// Request is one API call the fake received (Method: users.messages.get …).
type Request = googlefake.Request

// Sent is one message sent through the API.
type Sent struct {
	ID, ThreadID      string
	RequestedThreadID string // the threadId the client asked for
	Threaded          bool   // it joined RequestedThreadID
	Header            mail.Header
	Body              string
}

type historyRec struct {
	id            uint64
	added         []string
	deleted       []string
	labelsAdded   map[string][]string
	labelsRemoved map[string][]string
}

// Server is the fake. It is safe for concurrent use.
type Server struct {
	googlefake.Listener // URL, Close

	opts Options

	mu        sync.Mutex
	msgs      map[string]*stored
	threads   map[string][]string // thread id → message ids, oldest first
	drafts    map[string]string   // draft id → message id
	history   []historyRec
	historyID uint64
	oldest    uint64 // start ids below this are gone (404)
	seq       int
	sent      []Sent

	calls googlefake.Calls
}

// New returns an empty mailbox.
func New(o Options) *Server {
	if o.Owner == "" {
		o.Owner = "casey@pebblecache.dev"
	}
	if o.StartHistoryID == 0 {
		o.StartHistoryID = 4100
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Server{opts: o, msgs: map[string]*stored{}, threads: map[string][]string{}, drafts: map[string]string{}, historyID: o.StartHistoryID}
}

// Start serves on addr until Close and sets URL.
func (s *Server) Start(addr string) error { return s.Listen(addr, s.Handler()) }

// NewTestServer starts a fake on an httptest server closed when the test ends.
func NewTestServer(tb testing.TB, o Options) *Server {
	tb.Helper()
	s := New(o)
	s.ServeTest(tb, s.Handler())
	return s
}

// Owner is the mailbox address.
func (s *Server) Owner() string { return s.opts.Owner }

// Inject queues a fault.
func (s *Server) Inject(f Fault) { s.calls.Inject(f) }

// ExpireHistory forgets history up to now: a history.list that starts
// before the current history id answers 404, as Gmail does once a start id
// ages out.
func (s *Server) ExpireHistory() {
	s.mu.Lock()
	s.oldest = s.historyID
	s.history = nil
	s.mu.Unlock()
}

// HistoryID is the mailbox's current history id.
func (s *Server) HistoryID() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.historyID
}

// Requests returns the API calls received, oldest first.
func (s *Server) Requests() []Request { return s.calls.Requests() }

// UnitsUsed is the quota the calls served so far cost.
func (s *Server) UnitsUsed() int {
	units := 0
	for _, r := range s.calls.Requests() {
		units += Units[r.Method]
	}
	return units
}

// ResetRecord clears Requests and UnitsUsed.
func (s *Server) ResetRecord() { s.calls.Reset() }

// Sent returns the messages sent through the API, oldest first.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Thread returns the ids of a thread's messages, oldest first.
func (s *Server) Thread(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.threads[id]...)
}

// Drafts returns the ids of the drafts in the mailbox.
func (s *Server) Drafts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.drafts {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// MessageHeader returns a header of a stored message.
func (s *Server) MessageHeader(id, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.msgs[id]; m != nil {
		return m.root.header(name)
	}
	return ""
}

// Deliver puts m in the mailbox (INBOX, UNREAD unless m.Labels says
// otherwise) and records a messageAdded history entry. It returns the
// message and thread ids.
func (s *Server) Deliver(m Message) (id, threadID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.Date.IsZero() {
		m.Date = s.opts.Now()
	}
	if m.MessageID == "" {
		m.MessageID = fmt.Sprintf("<%s@mail.example>", randomHex(8))
	}
	labels := m.Labels
	if labels == nil {
		labels = []string{"INBOX", "UNREAD"}
	}
	st, err := s.store(m.raw(), labels, m.Date, m.ID)
	if err != nil {
		panic("gmailtest: Deliver: " + err.Error()) // a test built a broken message
	}
	if m.MIME != nil {
		m.MIME.wire(st.root)
	}
	st.unpadded = m.Unpadded
	if m.ThreadID != "" {
		st.threadID = m.ThreadID
	} else {
		st.threadID = s.threadByHeaders(st)
	}
	s.add(st)
	return st.id, st.threadID
}

// Delete removes a message, recording messageDeleted.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs[id]
	if m == nil {
		return
	}
	delete(s.msgs, id)
	ids := s.threads[m.threadID]
	for i, x := range ids {
		if x == id {
			s.threads[m.threadID] = append(ids[:i:i], ids[i+1:]...)
			break
		}
	}
	s.record(historyRec{deleted: []string{id}})
}

// newID returns a 16-hex-digit id like Gmail's, unique in this mailbox.
func (s *Server) newID() string {
	s.seq++
	return fmt.Sprintf("%011x%05x", s.opts.Now().UnixMilli()&0xfffffffffff, s.seq&0xfffff)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// store parses raw into a stored message (not yet added).
func (s *Server) store(raw []byte, labels []string, internal time.Time, id string) (*stored, error) {
	root, err := parseRaw(raw)
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = s.newID()
	}
	st := &stored{id: id, labels: append([]string(nil), labels...), raw: raw, root: root, internal: internal,
		messageID: root.header("Message-ID"), subject: decodeHeader(root.header("Subject")),
		from: root.header("From"), to: root.header("To") + ", " + root.header("Cc"), text: root.firstText()}
	return st, nil
}

// threadByHeaders finds the thread an incoming message belongs to: one
// holding a message it references, with the same subject. s.mu is held.
func (s *Server) threadByHeaders(m *stored) string {
	refs := append(msgIDs(m.root.header("In-Reply-To")), msgIDs(m.root.header("References"))...)
	subj := normSubject(m.subject)
	for _, ref := range refs {
		for _, other := range s.msgs {
			if other.messageID == ref && normSubject(other.subject) == subj {
				return other.threadID
			}
		}
	}
	return m.id
}

// joins reports whether m may join thread: it must reference a message in
// the thread and carry its subject. s.mu is held.
func (s *Server) joins(m *stored, thread string) bool {
	ids := s.threads[thread]
	if len(ids) == 0 {
		return false
	}
	refs := map[string]bool{}
	for _, r := range append(msgIDs(m.root.header("In-Reply-To")), msgIDs(m.root.header("References"))...) {
		refs[r] = true
	}
	if len(refs) == 0 {
		return false
	}
	first := s.msgs[ids[0]]
	if first == nil || normSubject(first.subject) != normSubject(m.subject) {
		return false
	}
	for _, id := range ids {
		if o := s.msgs[id]; o != nil && refs[o.messageID] {
			return true
		}
	}
	return false
}

// add stores m and records the history entry. s.mu is held.
func (s *Server) add(m *stored) {
	s.msgs[m.id] = m
	s.threads[m.threadID] = append(s.threads[m.threadID], m.id)
	m.historyID = s.record(historyRec{added: []string{m.id}})
}

// record appends a history entry with the next id; ids grow with gaps, as
// Gmail's do. s.mu is held.
func (s *Server) record(h historyRec) uint64 {
	s.historyID += 1 + uint64(len(s.history)%3)
	h.id = s.historyID
	s.history = append(s.history, h)
	return h.id
}

// Handler serves the Gmail API under /gmail/v1/users/{userId}/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern, method string, h func(w http.ResponseWriter, r *http.Request)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.serve(method, w, r, h) })
	}
	p := "/gmail/v1/users/{user}/"
	route("GET "+p+"profile", "users.getProfile", s.profile)
	route("GET "+p+"labels", "users.labels.list", s.labels)
	route("GET "+p+"history", "users.history.list", s.historyList)
	route("GET "+p+"messages", "users.messages.list", s.messagesList)
	route("GET "+p+"messages/{id}", "users.messages.get", s.messagesGet)
	route("POST "+p+"messages/{id}/modify", "users.messages.modify", s.messagesModify)
	route("GET "+p+"messages/{id}/attachments/{aid}", "users.messages.attachments.get", s.attachmentsGet)
	route("POST "+p+"messages/send", "users.messages.send", s.messagesSend)
	route("GET "+p+"threads/{id}", "users.threads.get", s.threadsGet)
	route("POST "+p+"drafts", "users.drafts.create", s.draftsCreate)
	route("GET "+p+"drafts/{id}", "users.drafts.get", s.draftsGet)
	route("DELETE "+p+"drafts/{id}", "users.drafts.delete", s.draftsDelete)
	route("POST "+p+"drafts/send", "users.drafts.send", s.draftsSend)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		googlefake.WriteError(w, http.StatusNotFound, "notFound", "Not Found: "+r.URL.Path)
	})
	return mux
}

func (s *Server) serve(method string, w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request)) {
	s.calls.Serve(method, w, r, s.opts.TokenValid, s.delegated, h)
}

// delegated refuses a mailbox other than the owner's, as Gmail does.
func (s *Server) delegated(w http.ResponseWriter, r *http.Request) bool {
	if u := r.PathValue("user"); u != "me" && !strings.EqualFold(u, s.opts.Owner) {
		googlefake.WriteError(w, http.StatusForbidden, "forbidden", "Delegation denied for "+s.opts.Owner)
		return false
	}
	return true
}

func (s *Server) profile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	googlefake.WriteJSON(w, map[string]any{"emailAddress": s.opts.Owner, "messagesTotal": len(s.msgs),
		"threadsTotal": len(s.threads), "historyId": fmt.Sprint(s.historyID)})
}

var systemLabels = []string{"INBOX", "SENT", "DRAFT", "UNREAD", "SPAM", "TRASH", "STARRED", "IMPORTANT",
	"CATEGORY_PERSONAL", "CATEGORY_SOCIAL", "CATEGORY_PROMOTIONS", "CATEGORY_UPDATES", "CATEGORY_FORUMS", "CHAT"}

func (s *Server) labels(w http.ResponseWriter, r *http.Request) {
	var ls []map[string]string
	for _, l := range systemLabels {
		ls = append(ls, map[string]string{"id": l, "name": l, "type": "system"})
	}
	googlefake.WriteJSON(w, map[string]any{"labels": ls})
}

// pageParams reads maxResults (default def, capped at max) and the offset
// encoded in pageToken.
func pageParams(q url.Values, def, max int) (size, offset int, err error) {
	size = def
	if v := q.Get("maxResults"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 {
			return 0, 0, fmt.Errorf("Invalid value for maxResults: %s", v)
		}
	}
	if size > max {
		size = max
	}
	if t := q.Get("pageToken"); t != "" {
		b, err := base64.RawURLEncoding.DecodeString(t)
		if err != nil || !strings.HasPrefix(string(b), "o:") {
			return 0, 0, fmt.Errorf("Invalid pageToken")
		}
		if offset, err = strconv.Atoi(string(b[2:])); err != nil {
			return 0, 0, fmt.Errorf("Invalid pageToken")
		}
	}
	return size, offset, nil
}

func pageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(offset)))
}

type ref struct {
	ID       string `json:"id"`
	ThreadID string `json:"threadId"`
}

func (s *Server) historyList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, err := strconv.ParseUint(q.Get("startHistoryId"), 10, 64)
	if err != nil {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", "Invalid startHistoryId")
		return
	}
	size, offset, err := pageParams(q, 100, 500)
	if err != nil {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", err.Error())
		return
	}
	types := map[string]bool{}
	for _, t := range q["historyTypes"] {
		types[t] = true
	}
	label := q.Get("labelId")
	s.mu.Lock()
	defer s.mu.Unlock()
	if start < s.oldest {
		googlefake.WriteError(w, http.StatusNotFound, "notFound", "Requested entity was not found.")
		return
	}
	type labelChange struct {
		Message  ref      `json:"message"`
		LabelIDs []string `json:"labelIds"`
	}
	type added struct {
		Message ref `json:"message"`
	}
	// messagesAdded carry the message's labels, as Gmail's do.
	type labeled struct {
		ID       string   `json:"id"`
		ThreadID string   `json:"threadId,omitempty"`
		LabelIDs []string `json:"labelIds,omitempty"`
	}
	type addedLabeled struct {
		Message labeled `json:"message"`
	}
	type jsonHist struct {
		ID              string         `json:"id"`
		Messages        []ref          `json:"messages,omitempty"`
		MessagesAdded   []addedLabeled `json:"messagesAdded,omitempty"`
		MessagesDeleted []added        `json:"messagesDeleted,omitempty"`
		LabelsAdded     []labelChange  `json:"labelsAdded,omitempty"`
		LabelsRemoved   []labelChange  `json:"labelsRemoved,omitempty"`
	}
	var all []jsonHist
	for _, h := range s.history {
		if h.id <= start {
			continue
		}
		j := jsonHist{ID: fmt.Sprint(h.id)}
		keep := func(id string) (ref, bool) {
			m := s.msgs[id]
			if m == nil {
				return ref{ID: id}, label == ""
			}
			return ref{m.id, m.threadID}, label == "" || hasLabel(m.labels, label)
		}
		if len(types) == 0 || types["messageAdded"] {
			for _, id := range h.added {
				if rf, ok := keep(id); ok {
					j.Messages = append(j.Messages, rf)
					var ls []string
					if m := s.msgs[id]; m != nil {
						ls = append(ls, m.labels...)
					}
					j.MessagesAdded = append(j.MessagesAdded, addedLabeled{labeled{rf.ID, rf.ThreadID, ls}})
				}
			}
		}
		if len(types) == 0 || types["messageDeleted"] {
			for _, id := range h.deleted {
				j.Messages = append(j.Messages, ref{ID: id})
				j.MessagesDeleted = append(j.MessagesDeleted, added{ref{ID: id}})
			}
		}
		if len(types) == 0 || types["labelAdded"] {
			for id, ls := range h.labelsAdded {
				if rf, ok := keep(id); ok {
					j.Messages = append(j.Messages, rf)
					j.LabelsAdded = append(j.LabelsAdded, labelChange{rf, ls})
				}
			}
		}
		if len(types) == 0 || types["labelRemoved"] {
			for id, ls := range h.labelsRemoved {
				if rf, ok := keep(id); ok {
					j.Messages = append(j.Messages, rf)
					j.LabelsRemoved = append(j.LabelsRemoved, labelChange{rf, ls})
				}
			}
		}
		if len(j.Messages) > 0 {
			all = append(all, j)
		}
	}
	resp := map[string]any{"historyId": fmt.Sprint(s.historyID)}
	if offset < len(all) {
		end := min(offset+size, len(all))
		resp["history"] = all[offset:end]
		if end < len(all) {
			resp["nextPageToken"] = pageToken(end)
		}
	}
	googlefake.WriteJSON(w, resp)
}

func (s *Server) messagesList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, offset, err := pageParams(q, 100, 500)
	if err != nil {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", err.Error())
		return
	}
	match, err := parseQuery(q.Get("q"), s.opts.Now())
	if err != nil {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", "Invalid query: "+err.Error())
		return
	}
	spam := q.Get("includeSpamTrash") == "true"
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []*stored
	for _, m := range s.msgs {
		if !spam && !match.wantsSpamTrash && (hasLabel(m.labels, "SPAM") || hasLabel(m.labels, "TRASH")) {
			continue
		}
		ok := true
		for _, l := range q["labelIds"] {
			if !hasLabel(m.labels, l) {
				ok = false
			}
		}
		if ok && match.match(m) {
			hits = append(hits, m)
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if !hits[i].internal.Equal(hits[j].internal) {
			return hits[i].internal.After(hits[j].internal)
		}
		return hits[i].historyID > hits[j].historyID
	})
	resp := map[string]any{"resultSizeEstimate": len(hits)}
	if offset < len(hits) {
		end := min(offset+size, len(hits))
		var refs []ref
		for _, m := range hits[offset:end] {
			refs = append(refs, ref{m.id, m.threadID})
		}
		resp["messages"] = refs
		if end < len(hits) {
			resp["nextPageToken"] = pageToken(end)
		}
	}
	googlefake.WriteJSON(w, resp)
}

func (s *Server) messagesGet(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	m := s.msgs[r.PathValue("id")]
	var j *jsonMessage
	if m != nil {
		j = m.render(q.Get("format"), q["metadataHeaders"])
	}
	s.mu.Unlock()
	if m == nil {
		googlefake.WriteError(w, http.StatusNotFound, "notFound", "Requested entity was not found.")
		return
	}
	googlefake.WriteJSON(w, j)
}

func (s *Server) attachmentsGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var p *part
	if m := s.msgs[r.PathValue("id")]; m != nil {
		p = m.partByAttachmentID(r.PathValue("aid"))
	}
	s.mu.Unlock()
	if p == nil {
		googlefake.WriteError(w, http.StatusNotFound, "notFound", "Requested entity was not found.")
		return
	}
	googlefake.WriteJSON(w, map[string]any{"size": len(p.body), "data": base64.URLEncoding.EncodeToString(p.body)})
}

func (s *Server) messagesModify(w http.ResponseWriter, r *http.Request) {
	var req struct{ AddLabelIds, RemoveLabelIds []string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", "Invalid JSON payload")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs[r.PathValue("id")]
	if m == nil {
		googlefake.WriteError(w, http.StatusNotFound, "notFound", "Requested entity was not found.")
		return
	}
	h := historyRec{labelsAdded: map[string][]string{}, labelsRemoved: map[string][]string{}}
	for _, l := range req.AddLabelIds {
		if !hasLabel(m.labels, l) {
			m.labels = append(m.labels, l)
			h.labelsAdded[m.id] = append(h.labelsAdded[m.id], l)
		}
	}
	for _, l := range req.RemoveLabelIds {
		for i, x := range m.labels {
			if x == l {
				m.labels = append(m.labels[:i:i], m.labels[i+1:]...)
				h.labelsRemoved[m.id] = append(h.labelsRemoved[m.id], l)
				break
			}
		}
	}
	m.historyID = s.record(h)
	googlefake.WriteJSON(w, m.render("minimal", nil))
}

type rawMessage struct {
	Raw      string `json:"raw"`
	ThreadID string `json:"threadId"`
}

// compose parses a client's message for send or draft and threads it.
// s.mu is held.
func (s *Server) compose(in rawMessage, labels []string) (*stored, bool, error) {
	raw, err := decodeRaw(in.Raw)
	if err != nil || len(raw) == 0 {
		return nil, false, fmt.Errorf("Invalid value for ByteString: raw")
	}
	if len(raw) > 35<<20 {
		return nil, false, fmt.Errorf("Message too large")
	}
	m, err := s.store(raw, labels, s.opts.Now(), "")
	if err != nil {
		return nil, false, fmt.Errorf("Invalid RFC 822 message: %v", err)
	}
	if m.messageID == "" {
		// Gmail adds a Message-ID when the client sent none.
		m.messageID = fmt.Sprintf("<CA%s@mail.gmail.com>", randomHex(12))
		m.root.headers = append(m.root.headers, header{"Message-ID", m.messageID})
	}
	threaded := in.ThreadID != "" && s.joins(m, in.ThreadID)
	if threaded {
		m.threadID = in.ThreadID
	} else {
		m.threadID = m.id // Gmail starts a new thread
	}
	return m, threaded, nil
}

func recipients(m *stored) bool {
	for _, h := range []string{"To", "Cc", "Bcc"} {
		if v := m.root.header(h); v != "" {
			if l, err := mail.ParseAddressList(v); err == nil && len(l) > 0 {
				return true
			}
		}
	}
	return false
}

func (s *Server) messagesSend(w http.ResponseWriter, r *http.Request) {
	var in rawMessage
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", "Invalid JSON payload")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, threaded, err := s.compose(in, []string{"SENT"})
	if err != nil {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", err.Error())
		return
	}
	if !recipients(m) {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", "Recipient address required")
		return
	}
	s.add(m)
	s.recordSent(m, in.ThreadID, threaded)
	googlefake.WriteJSON(w, map[string]any{"id": m.id, "threadId": m.threadID, "labelIds": m.labels})
}

func (s *Server) recordSent(m *stored, requested string, threaded bool) {
	msg, _ := mail.ReadMessage(strings.NewReader(string(m.raw)))
	var hdr mail.Header
	if msg != nil {
		hdr = msg.Header
	}
	s.sent = append(s.sent, Sent{ID: m.id, ThreadID: m.threadID, RequestedThreadID: requested, Threaded: threaded, Header: hdr, Body: m.text})
}

func (s *Server) threadsGet(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	ids := s.threads[id]
	if len(ids) == 0 {
		googlefake.WriteError(w, http.StatusNotFound, "notFound", "Requested entity was not found.")
		return
	}
	var msgs []*jsonMessage
	var hist uint64
	for _, mid := range ids {
		if m := s.msgs[mid]; m != nil {
			msgs = append(msgs, m.render(q.Get("format"), q["metadataHeaders"]))
			hist = max(hist, m.historyID)
		}
	}
	googlefake.WriteJSON(w, map[string]any{"id": id, "historyId": fmt.Sprint(hist), "messages": msgs})
}

func (s *Server) draftsCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Message rawMessage `json:"message"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", "Invalid JSON payload")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, _, err := s.compose(in.Message, []string{"DRAFT"})
	if err != nil {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", err.Error())
		return
	}
	s.add(m)
	did := "r" + strconv.FormatUint(uint64(s.seq)*7919+uint64(len(s.drafts)), 10)
	s.drafts[did] = m.id
	googlefake.WriteJSON(w, map[string]any{"id": did, "message": map[string]any{"id": m.id, "threadId": m.threadID, "labelIds": m.labels}})
}

func (s *Server) draftsGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	did := r.PathValue("id")
	m := s.msgs[s.drafts[did]]
	if m == nil {
		googlefake.WriteError(w, http.StatusNotFound, "notFound", "Requested entity was not found.")
		return
	}
	googlefake.WriteJSON(w, map[string]any{"id": did, "message": m.render(r.URL.Query().Get("format"), nil)})
}

func (s *Server) draftsDelete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	did := r.PathValue("id")
	mid, ok := s.drafts[did]
	if ok {
		delete(s.drafts, did)
	}
	s.mu.Unlock()
	if !ok {
		googlefake.WriteError(w, http.StatusNotFound, "notFound", "Requested entity was not found.")
		return
	}
	s.Delete(mid)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) draftsSend(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID string `json:"id"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &in); err != nil || in.ID == "" {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", "Invalid draft")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs[s.drafts[in.ID]]
	if m == nil {
		googlefake.WriteError(w, http.StatusNotFound, "notFound", "Requested entity was not found.")
		return
	}
	if !recipients(m) {
		googlefake.WriteError(w, http.StatusBadRequest, "invalidArgument", "Recipient address required")
		return
	}
	delete(s.drafts, in.ID)
	m.labels = []string{"SENT"}
	m.historyID = s.record(historyRec{labelsAdded: map[string][]string{m.id: {"SENT"}}, labelsRemoved: map[string][]string{m.id: {"DRAFT"}}})
	s.recordSent(m, m.threadID, len(s.threads[m.threadID]) > 1)
	googlefake.WriteJSON(w, map[string]any{"id": m.id, "threadId": m.threadID, "labelIds": m.labels})
}
