// Command spvcheck verifies the Blockstack v1 naming system from Bitcoin
// without trusting any server.
//
// It is a thin shell over the spvcheck packages: flags, output (--json for
// machines, tables for people), progress on a terminal, and exit codes.
//
// Exit codes, shared by every subcommand:
//
//	0  success: the input verified / the command did what was asked
//	1  verification failed: a vector, audit or proof did not match
//	2  unusable input: bad flags, unreadable or malformed files, missing data
//	   directories, unreachable peers
//
// Run `spvcheck help` for the list of subcommands and `spvcheck help CMD`
// for one of them.
package main
