// tlogcheck verifies a ledger log with the Go reference packages only
// (golang.org/x/mod/sumdb/note and sumdb/tlog): the checkpoint's
// signature, the root rebuilt from the C2SP hash tiles, and every entry
// bundle against the level-0 hashes. It shares no code with the C
// project, so a pass means any standard tlog client can verify us.
//
// usage: tlogcheck URL VKEY
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var base string

func get(path string) ([]byte, error) {
	req, _ := http.NewRequest("GET", base+"/"+path, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return b, nil
}

// c2spPath maps a sumdb tile (height 8 in its path) to the C2SP layout.
func c2spPath(t tlog.Tile) string {
	p := t.Path() // tile/8/L/NNN[.p/W] or tile/8/data/NNN[.p/W]
	p = strings.Replace(p, "tile/8/data/", "tile/entries/", 1)
	return strings.Replace(p, "tile/8/", "tile/", 1)
}

type reader struct{ fetched int }

func (r *reader) Height() int { return 8 }

func (r *reader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := get(c2spPath(t))
		if err != nil {
			return nil, err
		}
		out[i] = b
		r.fetched++
	}
	return out, nil
}

func (r *reader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func fail(format string, a ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", a...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Println("usage: tlogcheck URL VKEY")
		os.Exit(2)
	}
	base = strings.TrimSuffix(os.Args[1], "/")
	v, err := note.NewVerifier(os.Args[2])
	if err != nil {
		fail("vkey: %v", err)
	}
	raw, err := get("checkpoint")
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(raw, note.VerifierList(v))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		fail("checkpoint must have exactly 3 lines, got %q", n.Text)
	}
	if lines[0] != v.Name() {
		fail("origin %q is not the key name %q", lines[0], v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		fail("bad size line %q", lines[1])
	}
	rb, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rb) != 32 {
		fail("bad root line %q", lines[2])
	}
	var root tlog.Hash
	copy(root[:], rb)

	r := &reader{}
	tree := tlog.Tree{N: size, Hash: root}
	hr := tlog.TileHashReader(tree, r)
	got, err := tlog.TreeHash(size, hr)
	if err != nil {
		fail("rebuilding the root from tiles: %v", err)
	}
	if got != root {
		fail("root from tiles %x != checkpoint root %x", got, root)
	}

	// Entry bundles: every entry hashes to its level-0 hash.
	checked := int64(0)
	for start := int64(0); start < size; start += 256 {
		w := size - start
		if w > 256 {
			w = 256
		}
		t := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(w)}
		b, err := get(c2spPath(t))
		if err != nil {
			fail("%v", err)
		}
		idx := make([]int64, w)
		for i := range idx {
			idx[i] = tlog.StoredHashIndex(0, start+int64(i))
		}
		hashes, err := hr.ReadHashes(idx)
		if err != nil {
			fail("level-0 hashes: %v", err)
		}
		for i := int64(0); i < w; i++ {
			if len(b) < 2 {
				fail("bundle %d truncated at entry %d", t.N, i)
			}
			l := int(b[0])<<8 | int(b[1])
			if len(b) < 2+l {
				fail("bundle %d: entry %d overruns", t.N, i)
			}
			e := b[2 : 2+l]
			b = b[2+l:]
			h := sha256.Sum256(append([]byte{0}, e...))
			if !bytes.Equal(h[:], hashes[i][:]) {
				fail("entry %d does not hash to its tile hash", start+i)
			}
			checked++
		}
		if len(b) != 0 {
			fail("bundle %d has %d trailing bytes", t.N, len(b))
		}
	}
	// Inclusion proofs the Go way, for a few records.
	for _, i := range []int64{0, size / 2, size - 1} {
		if size == 0 {
			break
		}
		p, err := tlog.ProveRecord(size, i, hr)
		if err != nil {
			fail("prove %d: %v", i, err)
		}
		h, _ := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err := tlog.CheckRecord(p, size, root, i, h[0]); err != nil {
			fail("check record %d: %v", i, err)
		}
	}
	// The server's own proof endpoints must agree with tlog's proofs
	// (a static mirror has none: skip there).
	if _, err := get("v1/proof/inclusion?index=0&size=1"); err != nil {
		fmt.Printf("OK %s size %d root %x: signature, root from %d tiles, %d entries (static: no proof API)\n",
			lines[0], size, root[:], r.fetched, checked)
		return
	}
	if size > 1 {
		for _, i := range []int64{0, size / 3, size - 1} {
			p, _ := tlog.ProveRecord(size, i, hr)
			var got struct{ Proof []string }
			b, err := get(fmt.Sprintf("v1/proof/inclusion?index=%d&size=%d", i, size))
			if err != nil || json.Unmarshal(b, &got) != nil {
				fail("inclusion proof %d: %v", i, err)
			}
			if len(got.Proof) != len(p) {
				fail("inclusion proof %d: %d hashes, tlog has %d", i, len(got.Proof), len(p))
			}
			for k := range p {
				if got.Proof[k] != hex.EncodeToString(p[k][:]) {
					fail("inclusion proof %d differs from tlog's at %d", i, k)
				}
			}
		}
		old := size / 2
		p, err := tlog.ProveTree(size, old, hr)
		if err != nil {
			fail("tlog consistency: %v", err)
		}
		var got struct{ Proof []string }
		b, err := get(fmt.Sprintf("v1/proof/consistency?old=%d&new=%d", old, size))
		if err != nil || json.Unmarshal(b, &got) != nil || len(got.Proof) != len(p) {
			fail("consistency proof %d..%d: %v (%d vs %d)", old, size, err, len(got.Proof), len(p))
		}
		for k := range p {
			if got.Proof[k] != hex.EncodeToString(p[k][:]) {
				fail("consistency proof differs from tlog's at %d", k)
			}
		}
	}
	fmt.Printf("OK %s size %d root %x: signature, root from %d tiles, %d entries, proofs match tlog\n",
		lines[0], size, root[:], r.fetched, checked)
}
