package modelstore

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestExportedLiteral_TranscodesMinifiedJavaScriptToJSON(t *testing.T) {
	src := `!function(a){module.exports=a()}(function(){return{1:[function(a,n,i){n.exports=` +
		`{modelTopology:{keras_version:"2.2.4",trainable:!1,on:!0,none:null,"quoted key":'it\'s',` +
		`min:-.7601351137254753,scale:5e-4,big:1E+3,half:.5,whole:3.,list:[1,-2,[]],esc:"a\"b\\c\x41\u00e9"},` +
		`weightsManifest:[]}},{}]},{},[1])(1)});`
	got, err := exportedLiteral("model.min.js", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("not JSON: %s: %v", got, err)
	}
	topo := v["modelTopology"].(map[string]any)
	want := map[string]any{
		"keras_version": "2.2.4", "trainable": false, "on": true, "none": nil, "quoted key": "it's",
		"min": -0.7601351137254753, "scale": 5e-4, "big": 1000.0, "half": 0.5, "whole": 3.0,
		"esc": "a\"b\\cAé",
	}
	for k, w := range want {
		if topo[k] != w {
			t.Errorf("%s = %#v, want %#v", k, topo[k], w)
		}
	}
	if list, _ := json.Marshal(topo["list"]); string(list) != "[1,-2,[]]" {
		t.Errorf("list = %s", list)
	}
}

func TestExportedLiteral_NamesTheFileAndOffsetOfBadInput(t *testing.T) {
	for _, src := range []string{
		`module.exports={a:undefined}`,
		`module.exports={a:1`,
		`module.exports={a:"unterminated}`,
		`module.exports={a:0x1f}`,
		`no export here`,
	} {
		_, err := exportedLiteral("shard.min.js", []byte(src))
		if err == nil || !strings.Contains(err.Error(), "shard.min.js") {
			t.Errorf("%s: error %v, want one naming shard.min.js", src, err)
		}
	}
}

func TestParseShardJS_DecodesTheBase64String(t *testing.T) {
	src := `!function(d){}(function(){return{1:[function(d,h,Z){h.exports="AAEC/w=="},{}]}});`
	got, err := parseShardJS("group1-shard1of1.min.js", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "\x00\x01\x02\xff" {
		t.Errorf("got % x", got)
	}
}
