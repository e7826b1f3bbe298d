package main

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// The JSON that commands print with --json follows one schema (see
// 'spvcheck help COMMAND' for each command's): snake_case keys, lists
// that are empty as [], a block an answer was verified at as
// "verified_at": {"height", "consensus_hash", "block_hash"}, a name's
// owner as "owner_address", an operation's kind as "op" (NAME_UPDATE,
// ...), and, when a command fails, an error object on standard output as
// well as the message on standard error:
//
//	{"error": "what went wrong", "code": "ErrStoreLocked", "exit_code": 2}
//
// "code" is stable: the typed error code of the package that failed
// (snapshot.ErrStoreLocked, snv.ErrConsensusMismatch, ...), or one of
// "usage", "not_found", "unusable_input" and "verification_failed".

// tipRef is a store's last block in --json output ("tip"), the same shape
// as "verified_at".
type tipRef struct {
	Height        uint64 `json:"height"`
	ConsensusHash string `json:"consensus_hash"`
	BlockHash     string `json:"block_hash,omitempty"`
	// Time is the block header's timestamp, RFC 3339, where known.
	Time string `json:"time,omitempty"`
}

// peerRef is a peer and the height it announced.
type peerRef struct {
	Address string `json:"address"`
	Height  int32  `json:"height"`
}

// jsonError is the error object of a failed command run with --json.
type jsonError struct {
	Error    string `json:"error"`
	Code     string `json:"code"`
	ExitCode int    `json:"exit_code"`
}

// writeJSON prints v as indented JSON, leaving <, > and & as they are.
func writeJSON(e *env, v any) {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	e.wroteJSON = true
}

// writeJSONError prints the error object of a failure, unless the command
// already printed its own JSON answer.
func writeJSONError(e *env, msg, code string, exit int) {
	if !e.json || e.wroteJSON {
		return
	}
	writeJSON(e, jsonError{Error: msg, Code: code, ExitCode: exit})
}

// errorCode names err for machines: the first typed ErrorCode found along
// its chain, else a generic code for the exit status.
func errorCode(err error, exit int) string {
	if c := typedCode(err); c != "" {
		return c
	}
	switch exit {
	case exitMismatch:
		return "verification_failed"
	case exitUsage:
		return "unusable_input"
	}
	return fmt.Sprintf("exit_%d", exit)
}

// typedCode finds, along err's chain, a value of a package's ErrorCode type
// or an error struct with a Code field of such a type.
func typedCode(err error) string {
	for _, e := range errorChain(err) {
		v := reflect.ValueOf(e)
		if v.Type().Name() == "ErrorCode" {
			if s, ok := e.(fmt.Stringer); ok {
				return s.String()
			}
		}
		if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct {
			f := v.Elem().FieldByName("Code")
			if f.IsValid() && f.Type().Name() == "ErrorCode" && f.CanInterface() {
				if s, ok := f.Interface().(fmt.Stringer); ok {
					return s.String()
				}
			}
		}
	}
	return ""
}

// errorChain lists err and everything it wraps, depth first.
func errorChain(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		if e == nil || len(out) > 64 {
			return
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}
