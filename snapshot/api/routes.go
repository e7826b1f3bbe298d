package api

import "net/http"

// segment kinds of the reference's routing table (rpc.py _dispatch): a
// run of URL-encoding characters [a-zA-Z0-9-_.~%] of bounded length, or a
// zone-file hash of exactly 40 hex digits.
type seg struct {
	lit  string // a literal segment, or
	max  int    // a captured one of 1..max URL-encoding characters, or
	hash bool   // a captured 40-hex-digit hash
}

type routeDef struct {
	method string
	segs   []seg
	h      handler
}

func lit(s string) seg { return seg{lit: s} }

var (
	capName = seg{max: 256}
	capNS   = seg{max: 40}
	capHash = seg{hash: true}
)

// routes is the table of answered requests; a request matching none gets
// 404 {"error": "No such endpoint"}. It is built once and never changed.
func routeTable() []routeDef {
	get := http.MethodGet
	return []routeDef{
		{get, []seg{lit("v1"), lit("ping")}, (*request).ping},
		{get, []seg{lit("v1"), lit("node"), lit("ping")}, (*request).ping},
		{get, []seg{lit("v1"), lit("info")}, (*request).info},
		{get, []seg{lit("v1"), lit("addresses"), {max: 256}, capNS}, (*request).namesOwned},
		{get, []seg{lit("v1"), lit("blockchains"), capNS, lit("name_count")}, (*request).nameCount},
		{get, []seg{lit("v1"), lit("blockchains"), capNS, lit("consensus")}, (*request).consensusHash},
		{get, []seg{lit("v1"), lit("names")}, (*request).allNames},
		{get, []seg{lit("v1"), lit("names"), capName}, (*request).nameInfo},
		{get, []seg{lit("v1"), lit("names"), capName, lit("history")}, (*request).nameHistory},
		{get, []seg{lit("v1"), lit("names"), capName, lit("zonefile")}, (*request).nameZonefile},
		{get, []seg{lit("v1"), lit("names"), capName, lit("zonefile"), capHash}, (*request).nameZonefileByHash},
		{get, []seg{lit("v1"), lit("names"), capName, lit("proof")}, (*request).nameProof},
		{get, []seg{lit("v1"), lit("namespaces")}, (*request).namespaces},
		{get, []seg{lit("v1"), lit("namespaces"), capNS}, (*request).namespaceInfo},
		{get, []seg{lit("v1"), lit("namespaces"), capNS, lit("names")}, (*request).namespaceNames},
		{get, []seg{lit("v1"), lit("namespaces"), capNS, lit("name_count")}, (*request).namespaceNameCount},
		{get, []seg{lit("v1"), lit("prices"), lit("namespaces"), capNS}, (*request).namespacePriceV1},
		{get, []seg{lit("v1"), lit("prices"), lit("names"), capName}, (*request).namePriceV1},
		{get, []seg{lit("v2"), lit("prices"), lit("namespaces"), capNS}, (*request).namespacePriceV2},
		{get, []seg{lit("v2"), lit("prices"), lit("names"), capName}, (*request).namePriceV2},
		{get, []seg{lit("v1"), lit("zonefiles"), capHash}, (*request).zonefile},
		{http.MethodPost, []seg{lit("v1"), lit("zonefile")}, (*request).postZonefile},
	}
}

var table = routeTable()

// route finds the handler of a request and its captured segments.
func route(method string, parts []string) (handler, []string) {
	for _, rd := range table {
		if rd.method != method || len(rd.segs) != len(parts) {
			continue
		}
		var args []string
		ok := true
		for i, s := range rd.segs {
			p := parts[i]
			switch {
			case s.lit != "":
				ok = p == s.lit
			case s.hash:
				ok = isHex40(p)
				args = append(args, p)
			default:
				ok = len(p) >= 1 && len(p) <= s.max && urlChars(p)
				args = append(args, p)
			}
			if !ok {
				break
			}
		}
		if ok {
			return rd.h, args
		}
	}
	return nil, nil
}

func urlChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == '~', c == '%':
		default:
			return false
		}
	}
	return true
}

func isHex40(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
