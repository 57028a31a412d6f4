// Package gmailtest is a stateful fake of the Gmail API v1 that the real
// google.golang.org/api/gmail/v1 client talks to (point it here with
// option.WithEndpoint(URL+"/")). It keeps one mailbox and reproduces what
// connectors trip over: opaque page tokens with none on the last page,
// int64 fields as JSON strings, HTML-escaped snippets, history ids that
// grow with gaps and a 404 once a start id has aged out, 401 for a token the
// token server no longer accepts, 403/429 usage-limit errors in Google's
// JSON, per-method quota units, and threading that only keeps a sent
// message in its thread when threadId, In-Reply-To/References and the
// subject all match, as Gmail does.
//
// format=full serves each MIME part as Gmail does: body.data is the part's
// content with the transfer encoding undone but in its own charset, and a
// part with a file name comes by attachmentId (users.messages.attachments.get).
// history.list's messagesAdded carry the message's labelIds.
//
// Tests deliver mail with Deliver (plain text, or a MIME tree in
// Message.MIME with per-part wire variants), inject faults with Inject,
// and read what the fake received with Requests and Sent. DemoSeed fills the mailbox with
// the demo workspace's week.
package gmailtest
