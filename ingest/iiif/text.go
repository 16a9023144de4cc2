package iiif

import (
	"sort"
	"strconv"
	"strings"
)

// preferredLanguages are tried in order when a value exists in several languages.
var preferredLanguages = []string{"en", "none", "@none", ""}

// valueSeparator joins the several values of one property.
const valueSeparator = "; "

// text3 reads a v3 language map ({"en": ["a", "b"]}) as one string, in the
// preferred language; a plain string is taken as is.
func text3(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		lang := pickLanguage(t)
		return strings.Join(stringsOrScalars(t[lang]), valueSeparator)
	}
	return ""
}

func pickLanguage(m map[string]any) string {
	for _, l := range preferredLanguages {
		if _, ok := m[l]; ok {
			return l
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// text2 reads a v2 property value: a string, a {"@value", "@language"} object,
// or a list of those. Values in the preferred language (or without one) win;
// otherwise the first language present is used.
func text2(v any) string {
	type langValue struct{ lang, value string }
	var values []langValue
	var collect func(any)
	collect = func(v any) {
		switch t := v.(type) {
		case string:
			values = append(values, langValue{"", t})
		case float64, bool:
			values = append(values, langValue{"", scalarString(t)})
		case map[string]any:
			if s := str(t["@value"]); s != "" {
				values = append(values, langValue{str(t["@language"]), s})
			}
		case []any:
			for _, e := range t {
				collect(e)
			}
		}
	}
	collect(v)
	if len(values) == 0 {
		return ""
	}
	present := map[string]bool{}
	for _, lv := range values {
		present[lv.lang] = true
	}
	chosen := values[0].lang
	for _, l := range []string{"en", ""} {
		if present[l] {
			chosen = l
			break
		}
	}
	var out []string
	for _, lv := range values {
		if lv.lang == chosen {
			out = append(out, lv.value)
		}
	}
	return strings.Join(out, valueSeparator)
}

func stringsOrScalars(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s := scalarString(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func scalarString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		if t {
			return "true"
		}
		return "false"
	}
	return ""
}
