// Package judge runs spvcheck's implementation against reference vector
// files and reports, record by record, where it agrees and where it does
// not. It is the single place that decides what "passing a vector" means:
// the package tests and `spvcheck vectors …` both call it, the way btcd's
// txscript reference tests drive the engine from Bitcoin Core's JSON.
package judge
