package backend

import (
	"errors"
	"fmt"
)

// Error codes are stable strings: the UI, the CLI and the HTTP transport
// branch on them, so they never change meaning.
const (
	EINVALID      = "invalid"      // the caller sent something wrong; fix the input
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	ECONFLICT     = "conflict"     // the request clashes with the current state
	EUNAUTHORIZED = "unauthorized" // credentials are missing, expired or revoked: reconnect
	EUNAVAILABLE  = "unavailable"  // a dependency cannot be reached or is not connected; retry later
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is the one error type the domain returns. Message is safe to show a
// user; Err is the cause, for logs. Op names the operation that failed.
type Error struct {
	Code    string
	Message string
	Op      string
	Err     error
}

// Error renders op, message and cause on one line.
func (e *Error) Error() string {
	s := ""
	if e.Op != "" {
		s = e.Op + ": "
	}
	if e.Message != "" {
		s += e.Message
	} else {
		s += e.Code
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause so errors.Is and errors.As see through an Error.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted, user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError wraps err with op, keeping the code and message of the innermost
// *Error so callers can still branch on the code.
func WrapError(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: ErrorCode(err), Message: ErrorMessage(err), Op: op, Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL
// for any other error, or "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	// The common case, an *Error itself, without errors.As's allocation:
	// ingest asks for the code of every refused duplicate and missed lookup.
	if e, ok := err.(*Error); ok {
		return codeOr(e.Code)
	}
	var e *Error
	if errors.As(err, &e) {
		return codeOr(e.Code)
	}
	return EINTERNAL
}

func codeOr(code string) string {
	if code == "" {
		return EINTERNAL
	}
	return code
}

// ErrorMessage returns the user-safe message of the first *Error in err's chain
// that has one. Errors of other types read as a generic internal error so that
// causes (which may hold paths or payloads) are never shown.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	for errors.As(err, &e) {
		if e.Message != "" {
			return e.Message
		}
		if e.Err == nil {
			break
		}
		err = e.Err
	}
	return "An internal error occurred."
}
