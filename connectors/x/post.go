package x

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// Reply posts text as a reply to postID (POST /2/tweets with
// reply.in_reply_to_tweet_id) and returns the new post's id.
func (c *Client) Reply(ctx context.Context, postID, text string) (string, error) {
	const op = "x.Reply"
	if !ValidID(postID) {
		return "", backend.Errorf(backend.EINVALID, "%q is not an X post id", postID)
	}
	if n := backend.PostLength(text); n > backend.MaxPostLength {
		return "", backend.Errorf(backend.EINVALID, "The reply is %d characters in X's count; X allows %d.", n, backend.MaxPostLength)
	}
	in := map[string]any{"text": text, "reply": map[string]string{"in_reply_to_tweet_id": postID}}
	var out struct {
		Data *struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if _, err := c.do(ctx, op, "posting", http.MethodPost, "/2/tweets", nil, in, &out); err != nil {
		return "", err
	}
	if out.Data == nil || !ValidID(out.Data.ID) {
		return "", &backend.Error{Code: backend.EINTERNAL, Op: op, Message: "X accepted the reply but sent no usable id for it"}
	}
	return out.Data.ID, nil
}

// DeletePost deletes one of our posts (DELETE /2/tweets/:id). A post
// already gone counts as deleted.
func (c *Client) DeletePost(ctx context.Context, id string) error {
	const op = "x.DeletePost"
	if !ValidID(id) {
		return backend.Errorf(backend.EINVALID, "%q is not an X post id", id)
	}
	var out struct {
		Data *struct {
			Deleted bool `json:"deleted"`
		} `json:"data"`
		Errors []Problem `json:"errors"`
	}
	if _, err := c.do(ctx, op, "deleting", http.MethodDelete, "/2/tweets/"+id, nil, nil, &out); err != nil {
		if backend.ErrorCode(err) == backend.ENOTFOUND {
			return nil
		}
		return err
	}
	if out.Data != nil && out.Data.Deleted {
		return nil
	}
	if len(out.Errors) > 0 && strings.Contains(out.Errors[0].Type, "resource-not-found") {
		return nil // deleted before
	}
	return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "X did not confirm deleting the post; trying again later"}
}

// Like likes postID as the user (POST /2/users/:id/likes). Liking again is
// harmless.
func (c *Client) Like(ctx context.Context, postID string) error {
	const op = "x.Like"
	if !ValidID(postID) {
		return backend.Errorf(backend.EINVALID, "%q is not an X post id", postID)
	}
	me, err := c.self(ctx)
	if err != nil {
		return backend.WrapError(op, err)
	}
	var out struct {
		Data *struct {
			Liked bool `json:"liked"`
		} `json:"data"`
	}
	if _, err := c.do(ctx, op, "likes", http.MethodPost, "/2/users/"+me.ID+"/likes", nil, map[string]string{"tweet_id": postID}, &out); err != nil {
		return err
	}
	if out.Data == nil || !out.Data.Liked {
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: op, Message: "X did not confirm the like; trying again later"}
	}
	return nil
}

// Unlike takes a like back (DELETE /2/users/:id/likes/:tweet_id).
func (c *Client) Unlike(ctx context.Context, postID string) error {
	const op = "x.Unlike"
	if !ValidID(postID) {
		return backend.Errorf(backend.EINVALID, "%q is not an X post id", postID)
	}
	me, err := c.self(ctx)
	if err != nil {
		return backend.WrapError(op, err)
	}
	_, err = c.do(ctx, op, "likes", http.MethodDelete, "/2/users/"+me.ID+"/likes/"+postID, nil, nil, nil)
	return err
}

// findPages bounds how far back FindReply looks: 200 posts covers every
// reply a crash could have left since the last restart.
const findPages = 2

// FindReply looks through the user's recent posts (GET /2/users/:id/tweets)
// for a reply to postID saying text, and returns its id. X puts the
// @handles of the thread in front of a reply's text, so they are not
// compared.
func (c *Client) FindReply(ctx context.Context, postID, text string) (string, bool, error) {
	const op = "x.FindReply"
	me, err := c.self(ctx)
	if err != nil {
		return "", false, backend.WrapError(op, err)
	}
	want := replyText(text)
	q := url.Values{"max_results": {"100"}, "exclude": {"retweets"}, "tweet.fields": {"referenced_tweets,in_reply_to_user_id,created_at"}}
	for page := 0; page < findPages; page++ {
		var out timelinePage
		if _, err := c.do(ctx, op, "timeline", http.MethodGet, "/2/users/"+me.ID+"/tweets", q, nil, &out); err != nil {
			return "", false, err
		}
		for _, t := range out.Data {
			if t.repliesTo() == postID && replyText(t.Text) == want && ValidID(t.ID) {
				return t.ID, true, nil
			}
		}
		if out.Meta.NextToken == "" {
			break
		}
		q.Set("pagination_token", out.Meta.NextToken)
	}
	return "", false, nil
}

// replyText is a reply's text without the @handles X puts in front, its
// spaces folded.
func replyText(s string) string {
	f := strings.Fields(s)
	for len(f) > 0 && strings.HasPrefix(f[0], "@") {
		f = f[1:]
	}
	return strings.Join(f, " ")
}
