package snapshot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/spvcheck/spvcheck/snapshot/internal/sfile"
)

// splitFile decodes a valid snapshot file into its header and the entries
// of its three sections.
func splitFile(t testing.TB, file []byte) (*sfile.Header, [3][][]byte) {
	var sections [3][][]byte
	r := sfile.NewReader(bytes.NewReader(file))
	hdr, err := r.Header()
	if err != nil {
		t.Fatal(err)
	}
	for i, tag := range []byte{sfile.TagChain, sfile.TagBlocks, sfile.TagState} {
		if err := r.BeginSection(tag); err != nil {
			t.Fatal(err)
		}
		for {
			p, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			sections[i] = append(sections[i], bytes.Clone(p))
		}
	}
	return hdr, sections
}

func joinFile(hdr *sfile.Header, sections [3][][]byte) []byte {
	var buf bytes.Buffer
	w := sfile.NewWriter(&buf)
	_ = w.Header(hdr)
	for i, tag := range []byte{sfile.TagChain, sfile.TagBlocks, sfile.TagState} {
		_ = w.BeginSection(tag)
		for _, e := range sections[i] {
			_ = w.Entry(e)
		}
		_ = w.EndSection()
	}
	_ = w.Close()
	return buf.Bytes()
}

// FuzzFileEntries replaces, drops or duplicates one entry of a valid file
// and re-frames it with correct checksums, so the fuzzer reaches the entry
// decoders and the chain checks behind the checksums. Import and AuditFile
// must agree, fail only with typed errors, and an accepted file must import
// into a store that audits as verified.
func FuzzFileEntries(f *testing.F) {
	fs := vfs.NewMem()
	s := replayedStore(f, fs, "seed", 12)
	var buf bytes.Buffer
	if _, err := Export(context.Background(), s, &buf); err != nil {
		f.Fatal(err)
	}
	s.Close()
	hdr, sections := splitFile(f, buf.Bytes())
	for i, sec := range sections {
		for j, e := range sec {
			f.Add(uint8(i), uint16(j), uint8(0), e)
		}
	}
	f.Add(uint8(1), uint16(3), uint8(1), []byte{})
	f.Add(uint8(2), uint16(0), uint8(2), []byte{})
	f.Fuzz(func(t *testing.T, section uint8, index uint16, mode uint8, payload []byte) {
		var secs [3][][]byte
		for i := range sections {
			secs[i] = append([][]byte(nil), sections[i]...)
		}
		sec := &secs[int(section)%3]
		if len(*sec) == 0 {
			return
		}
		i := int(index) % len(*sec)
		switch mode % 3 {
		case 0:
			if len(payload) == 0 || len(payload) > 1<<16 {
				return
			}
			(*sec)[i] = payload
		case 1:
			*sec = append((*sec)[:i:i], (*sec)[i+1:]...)
		case 2:
			*sec = append((*sec)[:i+1:i+1], (*sec)[i:]...)
		}
		file := joinFile(hdr, secs)
		ctx := context.Background()
		rep, err := AuditFile(ctx, bytes.NewReader(file), AuditOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mem := vfs.NewMem()
		_, ierr := Import(ctx, bytes.NewReader(file), "db", Options{FS: mem})
		var e *Error
		if ierr != nil && !errors.As(ierr, &e) {
			t.Fatalf("untyped error %v", ierr)
		}
		if (rep.Verdict == Verified) != (ierr == nil) {
			t.Fatalf("audit says %s (%v), import says %v", rep.Verdict, rep.Err, ierr)
		}
		if ierr != nil {
			return
		}
		st, err := Open(ctx, "db", Options{FS: mem, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		srep, err := AuditStore(ctx, st, AuditOptions{})
		if err != nil || srep.Verdict != Verified {
			t.Fatalf("imported store audits %v %+v", err, srep)
		}
	})
}
