package main

import "github.com/spvcheck/spvcheck/ops"

// validateName and validateNamespaceID refuse, before any store is read,
// what cannot be a name or namespace ID, naming the rule it breaks: an
// invalid name is unusable input (exit 2), never "no such name".
func validateName(s string) error { return ops.CheckName(s) }

func validateNamespaceID(s string) error { return ops.CheckNamespaceID(s) }
