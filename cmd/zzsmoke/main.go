package main

import (
	_ "github.com/btcsuite/btcd/address/v2"
	_ "github.com/btcsuite/btcd/btcec/v2"
	_ "github.com/btcsuite/btcd/btcutil/v2"
	_ "github.com/btcsuite/btcd/chaincfg/v2"
	_ "github.com/btcsuite/btcd/chainhash/v2"
	_ "github.com/btcsuite/btcd/txscript/v2"
	_ "github.com/btcsuite/btcd/wire/v2"
	_ "github.com/btcsuite/btcwallet/walletdb/bdb"
	_ "github.com/cockroachdb/pebble/v2"
	_ "github.com/cockroachdb/pebble/v2/vfs"
	_ "github.com/lightninglabs/neutrino"
	_ "github.com/stretchr/testify/require"
	_ "pgregory.net/rapid"
)

func main() {}
