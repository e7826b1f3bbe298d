package scenario

import (
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/testvectors"
)

// Fees and prices of the default script. Names cost at most 6,400 satoshis
// in blog (three letters or more) and 200 in temp, so every BTC name
// payment is one flat fee; x.blog, a one-letter name, costs 3,276,800.
const (
	namespaceFeeBTC    = 400_000_000   // a 4-character namespace in epochs 1–2
	namespaceFeeStacks = 6_400_000_000 // a 4-character namespace from epoch 4
	nameFeeBTC         = 20_000
	nameFeeStacks      = 1_000_000
	creatorFunding     = 500_000_000
)

// blogBuckets prices names by length: one letter 2^15, two 2^10, three
// 2^6, …, eight and more 2^1 (times coeff 1 and 100 satoshis).
func blogBuckets() [16]uint8 {
	return [16]uint8{15, 10, 6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1}
}

// RealZoneFileHashes are the hashes of the five real mainnet zone files
// (testvectors.ZoneFiles) that Default announces, in the order the history
// first sets them: alice.blog's update at 263 (judecn.id's zone file, the
// value hash of a real mainnet NAME_UPDATE), dave.blog's at 263
// (muneeb.blockstack's), news.blog's registration at 323 (hello.miner's),
// photos.blog's renewal at 323 (app.stx's) and alice.club's update at 401
// (bill.helloworld's). Every one is still the zone-file hash of its name at
// the tip, so a server on the demo's store accepts exactly these five of
// the 1,631 and refuses the rest as unknown.
func RealZoneFileHashes() []string {
	return []string{
		"737c631c7c5d911c6617993c21fba731363f1cfe", // judecn.id
		"f5f0737a93d75f8488c2dbf85d7282759c0c8d22", // muneeb.blockstack
		"8af1fb5d22315b86807083daab054898a0f714a3", // hello.miner
		"903e67afa4e9b6c483a6a21d3d21f16c2ca006cb", // app.stx
		"c553ba08e4da6415dcd128d2abdf39b11f9d0fa6", // bill.helloworld
	}
}

// realZones returns the zone files of RealZoneFileHashes as text, in the
// same order. The table is embedded in the binary and its test checks every
// hash, so a failure here is a broken build, not bad input.
func realZones() []string {
	zs, err := testvectors.ZoneFilesByHash(RealZoneFileHashes()...)
	if err != nil {
		panic("scenario: " + err.Error())
	}
	out := make([]string, len(zs))
	for i, z := range zs {
		out[i] = string(z.Bytes)
	}
	return out
}

// Default is the scenario spvcheck's demo writes to a regtest node and the
// lifecycle tests check: four namespaces and 33 names through every
// Blockstack operation and all six compressed Regtest epochs, 186 blocks of
// Blockstack history (256–441). See the package documentation for the
// story it tells and Expected for the final name table it implies.
func Default() *Script {
	wallet := func(names ...string) []Participant {
		var out []Participant
		for _, n := range names {
			out = append(out, Participant{Name: n, Source: WalletKey})
		}
		return out
	}
	var ps []Participant
	ps = append(ps,
		Participant{Name: "nadia", Source: WalletKey, Funding: creatorFunding},
		Participant{Name: "registrar", Source: WalletKey},
		Participant{Name: "tomas", Source: WalletKey, Funding: creatorFunding},
		Participant{Name: "sam", Source: WalletKey, Funding: creatorFunding},
	)
	ps = append(ps, wallet("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
		"ivan", "judy", "oscar", "peggy", "trent", "victor", "walter", "mallory", "clubhouse")...)
	ps = append(ps,
		Participant{Name: "importer-0", Source: ImportChild, Parent: "registrar", Index: 0},
		Participant{Name: "importer-1", Source: ImportChild, Parent: "registrar", Index: 1},
	)
	for i := 0; i < consensus.RegtestKeyCount; i++ {
		ps = append(ps, Participant{Name: stx(i), Source: StacksKey, Index: i})
	}

	pre := func(who, name, owner string) Expect {
		return Accept(NamePreorder{From: who, Name: name, Owner: owner, BTC: nameFeeBTC})
	}
	reg := func(who, name, owner string) Expect {
		return Accept(NameRegistration{From: who, Name: name, Owner: owner})
	}
	upd := func(who, name, zone string) Expect { return Accept(NameUpdate{From: who, Name: name, Zone: zone}) }
	zones := realZones()

	wave1 := [][3]string{ // preorderer, name, owner
		{"alice", "alice.blog", "alice"}, {"bob", "bob.blog", "bob"}, {"carol", "carol.blog", "carol"},
		{"dave", "dave.blog", "dave"}, {"erin", "erin.blog", "erin"}, {"frank", "frank.blog", "frank"},
		{"grace", "grace.blog", "grace"}, {"heidi", "heidi.blog", "heidi"}, {"ivan", "ivan.blog", "ivan"},
		{"judy", "judy.blog", "judy"}, {"bob", "music.blog", "bob"}, {"dave", "chess.blog", "dave"},
		{"erin", "photos.blog", "erin"}, {"frank", "gift.blog", "grace"}, {"peggy", "brief.temp", "peggy"},
	}
	wave2 := [][3]string{
		{"oscar", "oscar.blog", "oscar"}, {"peggy", "peggy.blog", "peggy"}, {"trent", "trent.blog", "trent"},
		{"victor", "victor.blog", "victor"}, {"walter", "walter.blog", "walter"}, {"alice", "cooking.blog", "alice"},
		{"alice", "travel.blog", "alice"}, {"carol", "garden.blog", "carol"}, {"victor", "poems.blog", "victor"},
		{"walter", "recipes.blog", "walter"},
	}
	var preorders1, registrations1, preorders2, registrations2 []Expect
	for _, w := range wave1 {
		preorders1 = append(preorders1, pre(w[0], w[1], w[2]))
		registrations1 = append(registrations1, reg(w[0], w[1], w[2]))
	}
	for _, w := range wave2 {
		preorders2 = append(preorders2, pre(w[0], w[1], w[2]))
		registrations2 = append(registrations2, reg(w[0], w[1], w[2]))
	}

	steps := []Step{
		// Epoch 1 (blocks 256–285): BTC prices, no grace period.
		{Height: 256, Note: "two namespaces are preordered, paid in BTC", Ops: []Expect{
			Accept(NamespacePreorder{From: "nadia", ID: "blog", Revealer: "registrar", BTC: namespaceFeeBTC}),
			Accept(NamespacePreorder{From: "tomas", ID: "temp", Revealer: "tomas", BTC: namespaceFeeBTC}),
		}},
		{Height: 257, Note: "and revealed with their price rules and lifetimes", Ops: []Expect{
			Accept(NamespaceReveal{From: "nadia", ID: "blog", Revealer: "registrar", Version: 1, Lifetime: 1000,
				Coeff: 1, Base: 2, Buckets: blogBuckets(), NonalphaDiscount: 4, NoVowelDiscount: 4}),
			Accept(NamespaceReveal{From: "tomas", ID: "temp", Revealer: "tomas", Version: 1, Lifetime: 8,
				Coeff: 1, Base: 2, Buckets: [16]uint8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, NonalphaDiscount: 1, NoVowelDiscount: 1}),
		}},
		{Height: 258, Note: "the registrar's first import fixes blog's import keychain", Ops: []Expect{
			Accept(NameImport{From: "registrar", Name: "founder.blog", Owner: "nadia", Zone: "founder.blog draft"}),
		}},
		{Height: 259, Note: "keychain members import too; an outsider cannot", Ops: []Expect{
			Accept(NameImport{From: "importer-0", Name: "writer.blog", Owner: "alice", Zone: "writer.blog by alice"}),
			Accept(NameImport{From: "importer-1", Name: "editor.blog", Owner: "bob", Zone: "editor.blog by bob"}),
			Accept(NameImport{From: "registrar", Name: "founder.blog", Owner: "nadia", Zone: "founder.blog final"}),
			Reject(consensus.ErrNotInKeychain, NameImport{From: "mallory", Name: "stolen.blog", Owner: "mallory", Zone: "mine"}),
		}},
		{Height: 260, Note: "both namespaces launch", Ops: []Expect{
			Accept(NamespaceReady{From: "registrar", ID: "blog"}),
			Accept(NamespaceReady{From: "tomas", ID: "temp"}),
		}},
		{Height: 261, Note: "imports are over; the first wave of preorders, two for clash.blog, one too cheap",
			Ops: append(append([]Expect{
				Reject(consensus.ErrNamespaceNotRevealed, NameImport{From: "registrar", Name: "late.blog", Owner: "carol", Zone: "too late"}),
			}, preorders1...),
				pre("ivan", "clash.blog", "ivan"), pre("judy", "clash.blog", "judy"), pre("oscar", "x.blog", "oscar"))},
		{Height: 262, Note: "registrations: the two clash.blog ones collide, x.blog underpaid, one never preordered",
			Ops: append(registrations1,
				Reject(consensus.ErrCollision, NameRegistration{From: "ivan", Name: "clash.blog", Owner: "ivan"}),
				Reject(consensus.ErrCollision, NameRegistration{From: "judy", Name: "clash.blog", Owner: "judy"}),
				Reject(consensus.ErrFeeTooLow, NameRegistration{From: "oscar", Name: "x.blog", Owner: "oscar"}),
				Reject(consensus.ErrNoPreorder, NameRegistration{From: "mallory", Name: "nopre.blog", Owner: "mallory"}),
			)},
		{Height: 263, Note: "second wave of preorders; owners publish zone files, mallory cannot",
			Ops: append(preorders2,
				upd("alice", "alice.blog", zones[0]), upd("carol", "carol.blog", "carol.blog v1"),
				upd("dave", "dave.blog", zones[1]), upd("bob", "music.blog", "music.blog v1"),
				upd("dave", "chess.blog", "chess.blog v1"), upd("grace", "gift.blog", "thanks frank"),
				upd("erin", "photos.blog", "photos.blog v1"), upd("peggy", "brief.temp", "brief.temp by peggy"),
				Reject(consensus.ErrNameNotFound, NameUpdate{From: "mallory", Name: "alice.blog", Zone: "defaced"}),
			)},
		{Height: 264, Note: "the second wave registers", Ops: registrations2},
		{Height: 265, Note: "names change hands, keeping or dropping their zone file; heidi revokes hers", Ops: []Expect{
			Accept(NameTransfer{From: "dave", Name: "chess.blog", To: "erin", KeepData: true}),
			Accept(NameTransfer{From: "bob", Name: "music.blog", To: "carol", KeepData: false}),
			Reject(consensus.ErrNotOwner, NameTransfer{From: "mallory", Name: "alice.blog", To: "oscar", KeepData: true}),
			Accept(NameRevoke{From: "heidi", Name: "heidi.blog"}),
		}},
		{Height: 266, Note: "a revoked name cannot be updated; the new owner of chess.blog can", Ops: []Expect{
			Reject(consensus.ErrNameNotFound, NameUpdate{From: "heidi", Name: "heidi.blog", Zone: "heidi.blog v2"}),
			upd("erin", "chess.blog", "chess.blog v2"),
		}},
		{Height: 268, Note: "alice renews", Ops: []Expect{
			Accept(NameRenewal{From: "alice", Name: "alice.blog", BTC: nameFeeBTC}),
		}},
		{Height: 272, Note: "brief.temp (lifetime 8) expired after block 270: peggy cannot update it, trent preorders it", Ops: []Expect{
			Reject(consensus.ErrNameNotFound, NameUpdate{From: "peggy", Name: "brief.temp", Zone: "brief.temp v2"}),
			pre("trent", "brief.temp", "trent"),
		}},
		{Height: 273, Note: "trent registers the expired name", Ops: []Expect{
			reg("trent", "brief.temp", "trent"),
		}},
		// Epoch 2 (286–320): lifetimes count double.
		{Height: 290, Note: "epoch 2: a renewal cannot change the owner yet; bob renews; an announcement", Ops: []Expect{
			Reject(consensus.ErrRenewTransferNotAllowed, NameRenewal{From: "erin", Name: "photos.blog", NewOwner: "frank", BTC: nameFeeBTC}),
			Accept(NameRenewal{From: "bob", Name: "bob.blog", BTC: nameFeeBTC}),
			Stateless(Announce{From: "registrar", Message: "blog is open for registrations"}),
		}},
		// Epoch 3 (321–360): prices ÷10, grace period 5000, combined operations.
		{Height: 322, Note: "epoch 3: oscar preorders news.blog", Ops: []Expect{
			pre("oscar", "news.blog", "oscar"),
		}},
		{Height: 323, Note: "registration with a zone file in one step; renewal that transfers and updates", Ops: []Expect{
			Accept(NameRegistration{From: "oscar", Name: "news.blog", Owner: "oscar", Zone: zones[2]}),
			Accept(NameRenewal{From: "erin", Name: "photos.blog", NewOwner: "frank", Zone: zones[3], BTC: nameFeeBTC}),
		}},
		{Height: 330, Note: "the grace period revives brief.temp for its owner: no update, but a renewal", Ops: []Expect{
			Reject(consensus.ErrInGracePeriod, NameUpdate{From: "trent", Name: "brief.temp", Zone: "brief.temp by trent"}),
			Accept(NameRenewal{From: "trent", Name: "brief.temp", BTC: nameFeeBTC}),
		}},
		{Height: 332, Note: "sam preorders shop, a namespace whose names pay their creator", Ops: []Expect{
			Accept(NamespacePreorder{From: "sam", ID: "shop", Revealer: "sam", BTC: namespaceFeeBTC / 10}),
		}},
		{Height: 333, Note: "shop is revealed as version 2", Ops: []Expect{
			Accept(NamespaceReveal{From: "sam", ID: "shop", Revealer: "sam", Version: 2, Lifetime: 1000,
				Coeff: 1, Base: 2, Buckets: blogBuckets(), NonalphaDiscount: 4, NoVowelDiscount: 4}),
		}},
		{Height: 334, Note: "and launched; peggy pays sam for peggy.shop, walter burns his fee", Ops: []Expect{
			Accept(NamespaceReady{From: "sam", ID: "shop"}),
			Accept(NamePreorder{From: "peggy", Name: "peggy.shop", Owner: "peggy", BTC: nameFeeBTC, PayTo: "sam"}),
			pre("walter", "walter.shop", "walter"),
		}},
		{Height: 335, Note: "a version-2 name whose fee went to the burn address is refused", Ops: []Expect{
			reg("peggy", "peggy.shop", "peggy"),
			Reject(consensus.ErrWrongBurnAddress, NameRegistration{From: "walter", Name: "walter.shop", Owner: "walter"}),
		}},
		// Epoch 4 (361–400): STACKS tokens, integer prices, 10-block preorders.
		{Height: 362, Note: "epoch 4: a namespace bought with STACKS; ivan preorders late.blog", Ops: []Expect{
			Accept(NamespacePreorder{From: stx(0), ID: "club", Revealer: "clubhouse", Stacks: namespaceFeeStacks}),
			pre("ivan", "late.blog", "ivan"),
		}},
		{Height: 363, Note: "club is revealed as version 3: names paid in STACKS, never expiring", Ops: []Expect{
			Accept(NamespaceReveal{From: stx(0), ID: "club", Revealer: "clubhouse", Version: 3, Lifetime: consensus.NamespaceLifeInfinite,
				Coeff: 1, Base: 2, Buckets: blogBuckets(), NonalphaDiscount: 4, NoVowelDiscount: 4}),
		}},
		{Height: 364, Note: "club launches; tokens move, except stx-3's, locked until block 401", Ops: []Expect{
			Accept(NamespaceReady{From: "clubhouse", ID: "club"}),
			Accept(TokenTransfer{From: stx(1), To: "alice", Amount: 5_000_000_000, Memo: "welcome"}),
			Reject(consensus.ErrTransferLocked, TokenTransfer{From: stx(3), To: "bob", Amount: 1_000_000_000}),
		}},
		{Height: 365, Note: "names preordered with STACKS; judy's old clash.blog preorder still blocks its twin, so she buys it for ivan", Ops: []Expect{
			Accept(NamePreorder{From: stx(1), Name: "alice.club", Owner: "alice", Stacks: nameFeeStacks}),
			Accept(NamePreorder{From: stx(2), Name: "vault.club", Owner: stx(2), Stacks: nameFeeStacks}),
			Reject(consensus.ErrPreorderExists, NamePreorder{From: "judy", Name: "clash.blog", Owner: "judy", BTC: nameFeeBTC}),
			pre("judy", "clash.blog", "ivan"),
		}},
		{Height: 366, Note: "and registered", Ops: []Expect{
			reg(stx(1), "alice.club", "alice"),
			reg(stx(2), "vault.club", stx(2)),
			reg("judy", "clash.blog", "ivan"),
		}},
		{Height: 373, Note: "late.blog's preorder is eleven blocks old: void since epoch 4; carol renews", Ops: []Expect{
			Reject(consensus.ErrPreorderExpired, NameRegistration{From: "ivan", Name: "late.blog", Owner: "ivan"}),
			Accept(NameRenewal{From: "carol", Name: "carol.blog", BTC: nameFeeBTC}),
		}},
		// Epoch 5 (401–440): a token transfer may quote the zero hash.
		{Height: 401, Note: "epoch 5: stx-3's tokens unlock; alice publishes alice.club's zone file", Ops: []Expect{
			Accept(TokenTransfer{From: stx(3), To: "bob", Amount: 1_000_000_000, ZeroConsensusHash: true}),
			upd("alice", "alice.club", zones[4]),
		}},
		// Epoch 6 (441–): the final rules.
		{Height: 441, Note: "epoch 6: alice gives alice.club to bob; victor publishes", Ops: []Expect{
			Accept(NameTransfer{From: "alice", Name: "alice.club", To: "bob", KeepData: true}),
			upd("victor", "victor.blog", "victor.blog v1"),
		}},
	}
	return &Script{Name: "default", Seed: "spvcheck scenario", Participants: ps, Steps: steps}
}

func stx(i int) string { return "stx-" + string(rune('0'+i)) }

// Expected is the final name table Default implies, written from the
// script's intent (not read from an engine): who owns each name, its zone
// file, whether it was revoked and whether its lifetime has run out at the
// final block, 441.
func Expected() NameTable {
	s := Default()
	addr, err := s.Addresses()
	if err != nil {
		panic(err) // Default's participants always resolve
	}
	own := func(owner, zone string) NameState { return NameState{Owner: addr[owner], ValueHash: ZoneHash(zone)} }
	zones := realZones()
	t := NameTable{
		// Imported before blog launched; founder.blog re-imported.
		"founder.blog": own("nadia", "founder.blog final"),
		"writer.blog":  own("alice", "writer.blog by alice"),
		"editor.blog":  own("bob", "editor.blog by bob"),
		// First wave.
		"alice.blog":  own("alice", zones[0]), // judecn.id's real zone file
		"bob.blog":    own("bob", ""),
		"carol.blog":  own("carol", "carol.blog v1"),
		"dave.blog":   own("dave", zones[1]), // muneeb.blockstack's
		"erin.blog":   own("erin", ""),
		"frank.blog":  own("frank", ""),
		"grace.blog":  own("grace", ""),
		"heidi.blog":  {Owner: addr["heidi"], Revoked: true},
		"ivan.blog":   own("ivan", ""),
		"judy.blog":   own("judy", ""),
		"music.blog":  own("carol", ""),             // transferred, zone file dropped
		"chess.blog":  own("erin", "chess.blog v2"), // transferred keeping data, then updated
		"photos.blog": own("frank", zones[3]),       // renewed, transferred and updated at once (app.stx's)
		"gift.blog":   own("grace", "thanks frank"),
		"clash.blog":  own("ivan", ""), // collided in 262; judy registered it for ivan in 366
		// Second wave.
		"oscar.blog":   own("oscar", ""),
		"peggy.blog":   own("peggy", ""),
		"trent.blog":   own("trent", ""),
		"victor.blog":  own("victor", "victor.blog v1"),
		"walter.blog":  own("walter", ""),
		"cooking.blog": own("alice", ""),
		"travel.blog":  own("alice", ""),
		"garden.blog":  own("carol", ""),
		"poems.blog":   own("victor", ""),
		"recipes.blog": own("walter", ""),
		"news.blog":    own("oscar", zones[2]), // hello.miner's
		// temp: re-registered by trent at 273 without a zone file, renewed
		// in its grace period at 330; its lifetime (8 blocks, doubled from
		// epoch 2) ran out again at 346, so at 441 it is in grace once more.
		"brief.temp": {Owner: addr["trent"], Expired: true},
		// shop: version 2, fees paid to sam.
		"peggy.shop": own("peggy", ""),
		// club: version 3, infinite lifetime.
		"alice.club": own("bob", zones[4]), // bill.helloworld's
		"vault.club": own(stx(2), ""),
	}
	return t
}
