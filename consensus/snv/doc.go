// Package snv builds and verifies simplified name verification proofs.
package snv
