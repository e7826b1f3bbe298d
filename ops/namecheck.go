package ops

import (
	"strings"
	"unicode"
)

// CheckName says why fqn is not a valid fully-qualified name, or returns
// nil when IsNameValid(fqn) holds. The error is an *Error with code
// ErrInvalidName whose description names the first rule fqn breaks, for
// people typing names: lower case, the allowed characters, one dot, the
// lengths.
func CheckName(fqn string) error {
	if IsNameValid(fqn) {
		return nil
	}
	bad := func(format string, args ...any) error {
		return newError(ErrInvalidName, "", "invalid name %q: "+format, append([]any{clip(fqn)}, args...)...)
	}
	switch {
	case fqn == "":
		return bad("empty")
	case len(fqn) > MaxNameLength:
		return bad("%d bytes, more than %d in all", len(fqn), MaxNameLength)
	case strings.ToLower(fqn) != fqn && IsNameValid(strings.ToLower(fqn)):
		return bad("names are lower case (did you mean %q?)", strings.ToLower(fqn))
	}
	dots := strings.Count(fqn, ".")
	switch {
	case dots == 0:
		return bad("no namespace: a name is label.namespace, like muneeb.id")
	case dots > 1:
		return bad("%d dots: a name is label.namespace, with exactly one", dots)
	}
	label, ns, _ := strings.Cut(fqn, ".")
	switch {
	case label == "":
		return bad("empty label before the dot")
	case ns == "":
		return bad("empty namespace after the dot")
	}
	if err := checkChars(label, "label"); err != nil {
		return bad("%s", err.Error())
	}
	if err := CheckNamespaceID(ns); err != nil {
		return bad("its namespace: %s", strings.TrimPrefix(err.Error(), "invalid namespace ID "+quote(ns)+": "))
	}
	return bad("not a valid name")
}

// CheckNamespaceID says why id is not a valid namespace ID, or returns nil
// when IsNamespaceIDValid(id) holds (an *Error with code
// ErrInvalidNamespaceID).
func CheckNamespaceID(id string) error {
	if IsNamespaceIDValid(id) {
		return nil
	}
	bad := func(format string, args ...any) error {
		return newError(ErrInvalidNamespaceID, "", "invalid namespace ID %q: "+format, append([]any{clip(id)}, args...)...)
	}
	switch {
	case id == "":
		return bad("empty")
	case len(id) > MaxNamespaceIDLength:
		return bad("%d bytes, more than %d", len(id), MaxNamespaceIDLength)
	case strings.Contains(id, "."):
		return bad("a namespace ID has no dot")
	case strings.ToLower(id) != id && IsNamespaceIDValid(strings.ToLower(id)):
		return bad("namespace IDs are lower case (did you mean %q?)", strings.ToLower(id))
	}
	if err := checkChars(id, "namespace ID"); err != nil {
		return bad("%s", err.Error())
	}
	return bad("not a valid namespace ID")
}

type charError string

func (e charError) Error() string { return string(e) }

// checkChars names the first character of s outside a-z, 0-9, '-' and '_'
// (and '+' and '.', which the callers judge themselves).
func checkChars(s, what string) error {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
		case r == '+':
			return charError("'+' is not allowed in a " + what)
		case unicode.IsUpper(r):
			return charError("upper case " + quote(string(r)) + " in the " + what + ": names are lower case")
		default:
			return charError(quote(string(r)) + " is not allowed in a " + what + " (only a-z, 0-9, '-' and '_')")
		}
	}
	return nil
}

func quote(s string) string { return "\"" + s + "\"" }

// clip shortens what an error message echoes back.
func clip(s string) string {
	if len(s) > 48 {
		return s[:45] + "..."
	}
	return s
}
