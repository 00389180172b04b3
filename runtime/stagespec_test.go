package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// specFiller sets every field of v (a specs.Spec reached through path) to a
// value that is not its zero value, except the fields under skip: pointers
// allocated, slices and maps given two items, numbers and strings told
// apart by a counter. Empty but non-nil slices are made too, under the
// fields named in empty, to check that they stay empty and not nil.
type specFiller struct {
	skip  []string
	empty map[string]bool
	n     int
}

func (f *specFiller) fill(v reflect.Value, path string) {
	if slices.Contains(f.skip, path) {
		return
	}
	f.n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s=%d\x00é", path, f.n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(-int64(f.n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(uint64(f.n) * 1000003)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), path)
	case reflect.Struct:
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			f.fill(v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice:
		if f.empty[path] {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			f.fill(v.Index(i), path)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k, path+"[key]")
			f.fill(e, path)
			v.SetMapIndex(k, e)
		}
	case reflect.Interface:
		// No interface fields in the part that goes to the stage.
	default:
		panic(fmt.Sprintf("%s: kind %s not handled", path, v.Kind()))
	}
}

// TestStageSpecKeepsEverything fills every field of specs.Spec but the
// omitted ones, and checks that the stage's form gives it all back: a
// field the spec gains breaks this test until it is encoded or added to
// stageSpecOmits, so none is lost on the way to the stage unnoticed.
func TestStageSpecKeepsEverything(t *testing.T) {
	f := &specFiller{skip: stageSpecOmits, empty: map[string]bool{
		"Spec.Process.Env": true, "Spec.Linux.MaskedPaths": true,
	}}
	var want specs.Spec
	f.fill(reflect.ValueOf(&want).Elem(), "Spec")
	got, err := decodeStageSpec(encodeStageSpec(nil, &want))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, want) {
		a, _ := json.MarshalIndent(got, "", " ")
		b, _ := json.MarshalIndent(&want, "", " ")
		t.Fatalf("the stage's form lost or changed fields:\ngot  %s\nwant %s", a, b)
	}
	if got.Process.Env == nil || len(got.Process.Env) != 0 {
		t.Errorf("an empty env came back as %#v; want empty, not nil", got.Process.Env)
	}
	// Each omitted field must exist, so that a renamed one is noticed.
	all := map[string]bool{}
	walkFields(reflect.TypeOf(specs.Spec{}), "Spec", all)
	for _, p := range stageSpecOmits {
		if !all[p] {
			t.Errorf("stageSpecOmits names %s, which specs.Spec does not have", p)
		}
	}
}

func walkFields(t reflect.Type, path string, into map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || into[path+"#"] {
		return
	}
	into[path+"#"] = true
	for i := range t.NumField() {
		p := path + "." + t.Field(i).Name
		into[p] = true
		walkFields(t.Field(i).Type, p, into)
	}
}

// TestStageSpecDefault round-trips the spec container-runtime-oci spec
// writes, with nil and empty slices where JSON would have them.
func TestStageSpecDefault(t *testing.T) {
	want := DefaultSpec()
	want.Linux.Seccomp = nil
	want.Linux.Resources = nil
	got, err := decodeStageSpec(encodeStageSpec(nil, want))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %+v, %v; want %+v", got, err, want)
	}
}

// TestStageSpecBadInput: what is not a spec in the stage's form fails
// with an error, never a panic or a partial spec.
func TestStageSpecBadInput(t *testing.T) {
	good := encodeStageSpec(nil, DefaultSpec())
	for name, b := range map[string][]byte{
		"empty":          nil,
		"json":           []byte(`{"ociVersion":"1.2.0"}`),
		"other version":  append([]byte("crspec9\x00"), good[len(stageSpecMagic):]...),
		"truncated":      good[:len(good)-3],
		"trailing bytes": append(slices.Clone(good), 0),
		"huge count":     append([]byte(stageSpecMagic), 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f),
		"bad boolean":    append([]byte(stageSpecMagic), 0, 7),
	} {
		s, err := decodeStageSpec(b)
		if err == nil || s != nil {
			t.Errorf("%s: decoded %v, %v; want an error", name, s, err)
		} else if !strings.Contains(err.Error(), "spec") {
			t.Errorf("%s: error %q does not say what was being decoded", name, err)
		}
	}
}

// FuzzDecodeStageSpec: the stage decodes bytes its parent wrote, but a
// decoder must not panic or allocate without bound on any input, and
// what it accepts must encode back to the same spec.
func FuzzDecodeStageSpec(f *testing.F) {
	f.Add(encodeStageSpec(nil, DefaultSpec()))
	var full specs.Spec
	(&specFiller{skip: stageSpecOmits}).fill(reflect.ValueOf(&full).Elem(), "Spec")
	f.Add(encodeStageSpec(nil, &full))
	f.Add([]byte(stageSpecMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeStageSpec(b)
		if err != nil {
			return
		}
		again, err := decodeStageSpec(encodeStageSpec(nil, s))
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("re-encoding changed the spec: %+v, %v; want %+v", again, err, s)
		}
		if enc := encodeStageSpec(nil, s); !bytes.HasPrefix(enc, []byte(stageSpecMagic)) {
			t.Fatalf("encoding lost the magic")
		}
	})
}
