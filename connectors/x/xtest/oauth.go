package xtest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"math/big"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// consumer is a developer app's API key and secret.
type consumer struct {
	key, secret string
}

// token is a request token (temporary credentials) or an access token
// (token credentials), RFC 5849 §2.
type token struct {
	value, secret string
	consumer      string
	access        bool
	userID        string // access tokens, and request tokens once approved
	callback      string // request tokens: "oob" or the loopback URL
	verifier      string // request tokens, once approved
	revoked       bool
}

// verify modes: what the request must be signed with.
const (
	signedAPI          = iota // consumer + access token
	signedRequestToken        // consumer only, with oauth_callback
	signedAccessToken         // consumer + approved request token, with oauth_verifier
)

// errAuth is any refused signature; X says no more than 401.
var errAuth = errors.New("xtest: could not authenticate you")

// AddConsumer registers a developer app's consumer key (API key) and
// secret.
func (s *Server) AddConsumer(key, secret string) {
	s.mu.Lock()
	s.consumers[key] = &consumer{key: key, secret: secret}
	s.mu.Unlock()
}

// NewConsumer registers a developer app with generated credentials, shaped
// as X's (25 and 50 characters).
func (s *Server) NewConsumer() (key, secret string) {
	key, secret = randomString(25), randomString(50)
	s.AddConsumer(key, secret)
	return key, secret
}

// AddAccessToken registers an access token and secret for userID under the
// consumer, as "Keys and tokens" in X's developer portal makes one.
func (s *Server) AddAccessToken(consumerKey, userID, value, secret string) {
	s.mu.Lock()
	s.tokens[value] = &token{value: value, secret: secret, consumer: consumerKey, access: true, userID: userID}
	s.mu.Unlock()
}

// NewAccessToken makes a developer-portal access token for userID under the
// consumer, shaped as X's ("<user id>-…" and a 45-character secret).
func (s *Server) NewAccessToken(consumerKey, userID string) (value, secret string) {
	value, secret = userID+"-"+randomString(40), randomString(45)
	s.AddAccessToken(consumerKey, userID, value, secret)
	return value, secret
}

// RevokeAccess revokes every access token of userID, as the user removing
// the app under "Connected apps" does: their requests answer 401.
func (s *Server) RevokeAccess(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.access && t.userID == userID {
			t.revoked = true
		}
	}
}

// Approve authorizes the request token as userID, as the person does on
// X's authorize page. It returns the URL X redirects the browser to (the
// callback with oauth_token and oauth_verifier), or for "oob" an empty
// redirect and the PIN X shows.
func (s *Server) Approve(requestToken, userID string) (redirect, pin string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.approveLocked(requestToken, userID)
}

func (s *Server) approveLocked(requestToken, userID string) (redirect, pin string, err error) {
	t, ok := s.tokens[requestToken]
	if !ok || t.access || t.verifier != "" {
		return "", "", fmt.Errorf("xtest: no pending request token %q", requestToken)
	}
	if _, ok := s.users[userID]; !ok {
		return "", "", fmt.Errorf("xtest: no user %q", userID)
	}
	t.userID = userID
	if t.callback == "oob" {
		t.verifier = randomDigits(7)
		return "", t.verifier, nil
	}
	t.verifier = randomString(32)
	u, err := url.Parse(t.callback)
	if err != nil {
		return "", "", err
	}
	q := u.Query()
	q.Set("oauth_token", requestToken)
	q.Set("oauth_verifier", t.verifier)
	u.RawQuery = q.Encode()
	return u.String(), "", nil
}

// requestToken is POST /oauth/request_token (RFC 5849 §2.1).
func (s *Server) requestToken(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	params, err := s.verifyOAuth(r, body, signedRequestToken)
	if err != nil {
		writeOAuthError(w, err)
		return
	}
	cb := params["oauth_callback"]
	if !callbackAllowed(cb) {
		writeJSON(w, http.StatusForbidden, map[string]any{"errors": []map[string]any{{"code": 415,
			"message": "Callback URL not approved for this client application. Approved callback URLs can be adjusted in your application settings"}}})
		return
	}
	t := &token{value: randomString(27), secret: randomString(32), consumer: params["oauth_consumer_key"], callback: cb}
	s.mu.Lock()
	s.tokens[t.value] = t
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "oauth_token=%s&oauth_token_secret=%s&oauth_callback_confirmed=true", t.value, t.secret)
}

// callbackAllowed accepts "oob" and a loopback http callback, the two a
// desktop app registers in its app settings.
func callbackAllowed(cb string) bool {
	if cb == "oob" {
		return true
	}
	u, err := url.Parse(cb)
	if err != nil || u.Scheme != "http" || u.User != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// authorizePage is GET /oauth/authorize: X's consent page.
func (s *Server) authorizePage(w http.ResponseWriter, r *http.Request) {
	rt := r.URL.Query().Get("oauth_token")
	s.mu.Lock()
	t, ok := s.tokens[rt]
	pending := ok && !t.access && t.verifier == ""
	if pending && s.opts.AuthorizeAs != "" {
		redirect, pin, err := s.approveLocked(rt, s.opts.AuthorizeAs)
		s.mu.Unlock()
		answerApproval(w, r, redirect, pin, err)
		return
	}
	var users []*User
	for _, u := range s.users {
		users = append(users, u)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !pending {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, "<!doctype html><title>X</title><p>This page is no longer valid. It looks like someone already used the token information you provided.</p>")
		return
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Username < users[j].Username })
	var b strings.Builder
	b.WriteString("<!doctype html><title>Authorize app</title><h1>Authorize app to access your account?</h1>")
	for _, u := range users {
		fmt.Fprintf(&b, `<form method="post" action="/oauth/authorize"><input type="hidden" name="oauth_token" value="%s"><input type="hidden" name="user_id" value="%s"><button id="allow-%s">Authorize app as @%s</button></form>`,
			html.EscapeString(rt), html.EscapeString(u.ID), html.EscapeString(u.Username), html.EscapeString(u.Username))
	}
	fmt.Fprint(w, b.String())
}

// authorizeSubmit is the consent page's "Authorize app" button.
func (s *Server) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	redirect, pin, err := s.Approve(r.PostForm.Get("oauth_token"), r.PostForm.Get("user_id"))
	answerApproval(w, r, redirect, pin, err)
}

func answerApproval(w http.ResponseWriter, r *http.Request, redirect, pin string, err error) {
	switch {
	case err != nil:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, "<!doctype html><title>X</title><p>This page is no longer valid.</p>")
	case redirect != "":
		http.Redirect(w, r, redirect, http.StatusFound)
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>X</title><div id="oauth_pin"><p><span id="code-desc">Next, return to the app and enter this PIN to complete the authorization process:</span><kbd aria-labelledby="code-desc"><code>%s</code></kbd></p></div>`, pin)
	}
}

// accessToken is POST /oauth/access_token (RFC 5849 §2.3).
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	params, err := s.verifyOAuth(r, body, signedAccessToken)
	if err != nil {
		writeOAuthError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.tokens[params["oauth_token"]]
	verifier := params["oauth_verifier"]
	if verifier == "" {
		verifier = formValue(r, body, "oauth_verifier")
	}
	if rt == nil || rt.verifier == "" || subtle.ConstantTimeCompare([]byte(verifier), []byte(rt.verifier)) != 1 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, "Error processing your OAuth request: Invalid oauth_verifier parameter")
		return
	}
	delete(s.tokens, rt.value) // a request token is used once
	var at *token
	for _, t := range s.tokens {
		// X hands back the same token when a user authorizes an app again.
		if t.access && !t.revoked && t.consumer == rt.consumer && t.userID == rt.userID {
			at = t
			break
		}
	}
	if at == nil {
		at = &token{value: rt.userID + "-" + randomString(40), secret: randomString(45), consumer: rt.consumer, access: true, userID: rt.userID}
		s.tokens[at.value] = at
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	v := url.Values{"oauth_token": {at.value}, "oauth_token_secret": {at.secret}, "user_id": {at.userID}, "screen_name": {s.users[at.userID].Username}}
	fmt.Fprint(w, v.Encode())
}

// writeOAuthError is the OAuth endpoints' 401.
func writeOAuthError(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": []map[string]any{{"code": 32, "message": "Could not authenticate you."}}})
}

// verify checks an API request's OAuth 1.0a signature and returns who made
// it.
func (s *Server) verify(r *http.Request, body []byte) (principal, error) {
	params, err := s.verifyOAuth(r, body, signedAPI)
	if err != nil {
		return principal{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[params["oauth_token"]]
	return principal{consumer: t.consumer, token: t.value, userID: t.userID}, nil
}

// verifyOAuth is RFC 5849 §3.2 done from the RFC: the Authorization
// header's protocol parameters, the signature over the request as the
// server received it (§3.4.1), the token's standing, the timestamp and the
// nonce. It returns the protocol parameters.
func (s *Server) verifyOAuth(r *http.Request, body []byte, mode int) (map[string]string, error) {
	oauth, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"oauth_consumer_key", "oauth_signature_method", "oauth_timestamp", "oauth_nonce", "oauth_signature"} {
		if oauth[name] == "" {
			return nil, errAuth
		}
	}
	if oauth["oauth_signature_method"] != "HMAC-SHA1" {
		return nil, errAuth
	}
	if v, ok := oauth["oauth_version"]; ok && v != "1.0" {
		return nil, errAuth
	}
	// Protocol parameters travel in the header only (§3.5.1): the same
	// name in the query or the body is refused.
	rest, err := requestParams(r, body)
	if err != nil {
		return nil, errAuth
	}
	for _, p := range rest {
		if strings.HasPrefix(p[0], "oauth_") && !(mode == signedAccessToken && p[0] == "oauth_verifier") {
			return nil, errAuth
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.consumers[oauth["oauth_consumer_key"]]
	if c == nil {
		return nil, errAuth
	}
	tokenSecret := ""
	switch mode {
	case signedRequestToken:
		if oauth["oauth_callback"] == "" {
			return nil, errAuth
		}
		if _, ok := oauth["oauth_token"]; ok {
			return nil, errAuth
		}
	case signedAccessToken, signedAPI:
		t := s.tokens[oauth["oauth_token"]]
		if t == nil || t.consumer != c.key || t.revoked || t.access != (mode == signedAPI) {
			return nil, errAuth
		}
		tokenSecret = t.secret
	}

	all := rest
	for k, v := range oauth {
		if k != "oauth_signature" && k != "realm" {
			all = append(all, [2]string{k, v})
		}
	}
	base := signatureBase(r.Method, baseURI(r), all)
	mac := hmac.New(sha1.New, []byte(percentEncode(c.secret)+"&"+percentEncode(tokenSecret)))
	mac.Write([]byte(base))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if subtle.ConstantTimeCompare([]byte(want), []byte(oauth["oauth_signature"])) != 1 {
		return nil, errAuth
	}

	ts, err := strconv.ParseInt(oauth["oauth_timestamp"], 10, 64)
	if err != nil {
		return nil, errAuth
	}
	now := s.opts.AuthNow()
	if d := now.Sub(time.Unix(ts, 0)); d > s.opts.TimestampSkew || d < -s.opts.TimestampSkew {
		return nil, errAuth
	}
	key := c.key + "|" + oauth["oauth_token"] + "|" + oauth["oauth_nonce"] + "|" + oauth["oauth_timestamp"]
	if _, seen := s.nonces[key]; seen {
		return nil, errAuth
	}
	if len(s.nonces) > 4096 {
		for k, at := range s.nonces {
			if now.Sub(at) > 2*s.opts.TimestampSkew {
				delete(s.nonces, k)
			}
		}
	}
	s.nonces[key] = now
	return oauth, nil
}

// parseAuthorization reads an `Authorization: OAuth k="v", …` header
// (RFC 5849 §3.5.1): names and values percent-decoded, each name once.
func parseAuthorization(h string) (map[string]string, error) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "OAuth") {
		return nil, errAuth
	}
	out := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, quoted, ok := strings.Cut(part, "=")
		if !ok || len(quoted) < 2 || quoted[0] != '"' || quoted[len(quoted)-1] != '"' {
			return nil, errAuth
		}
		k, err1 := url.PathUnescape(strings.TrimSpace(name))
		v, err2 := url.PathUnescape(quoted[1 : len(quoted)-1])
		if err1 != nil || err2 != nil {
			return nil, errAuth
		}
		if _, dup := out[k]; dup {
			return nil, errAuth
		}
		out[k] = v
	}
	return out, nil
}

// requestParams are the query's parameters and, for a single-part
// application/x-www-form-urlencoded body, the body's (§3.4.1.3.1), each
// decoded as a form; duplicates kept. A JSON body is not among them.
func requestParams(r *http.Request, body []byte) ([][2]string, error) {
	var out [][2]string
	add := func(raw string) error {
		for _, pair := range strings.Split(raw, "&") {
			if pair == "" {
				continue
			}
			k, v, _ := strings.Cut(pair, "=")
			dk, err := url.QueryUnescape(k)
			if err != nil {
				return err
			}
			dv, err := url.QueryUnescape(v)
			if err != nil {
				return err
			}
			out = append(out, [2]string{dk, dv})
		}
		return nil
	}
	if err := add(r.URL.RawQuery); err != nil {
		return nil, err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "application/x-www-form-urlencoded" {
		if err := add(string(body)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// baseURI is §3.4.1.2: scheme and host lowercased, the default port
// dropped, the path as sent, no query.
func baseURI(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := strings.ToLower(r.Host)
	if h, port, err := net.SplitHostPort(host); err == nil && ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) {
		host = h
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

// signatureBase is §3.4.1.1 with the parameters normalized per §3.4.1.3.2:
// each name and value percent-encoded, sorted by name then value, joined.
func signatureBase(method, uri string, params [][2]string) string {
	enc := make([][2]string, len(params))
	for i, p := range params {
		enc[i] = [2]string{percentEncode(p[0]), percentEncode(p[1])}
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i][0] != enc[j][0] {
			return enc[i][0] < enc[j][0]
		}
		return enc[i][1] < enc[j][1]
	})
	pairs := make([]string, len(enc))
	for i, p := range enc {
		pairs[i] = p[0] + "=" + p[1]
	}
	return strings.ToUpper(method) + "&" + percentEncode(uri) + "&" + percentEncode(strings.Join(pairs, "&"))
}

// percentEncode is §3.6: every byte but ALPHA, DIGIT, "-", ".", "_", "~"
// as %XX with upper-case hex.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func formValue(r *http.Request, body []byte, name string) string {
	params, _ := requestParams(r, body)
	for _, p := range params {
		if p[0] == name {
			return p[1]
		}
	}
	return ""
}

func randomString(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		k, _ := rand.Int(rand.Reader, big.NewInt(10))
		b[i] = byte('0' + k.Int64())
	}
	return string(b)
}

// clientID is the numeric app id X puts in client-forbidden problems.
func clientID(consumerKey string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(consumerKey); i++ {
		h = (h ^ uint32(consumerKey[i])) * 16777619
	}
	return strconv.FormatUint(uint64(20000000+h%9000000), 10)
}
