package viewer

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestViewer_URLHashReopensSameFilters(t *testing.T) {
	f := newFakeServer(t, 600)
	p := open(t, f.handler(), "/#layout=grid", desktop)
	p.waitFor(`__viewer.metaLoaded && !document.querySelector('#btn-filters').disabled`, 10*time.Second)
	p.key("g")
	p.do(chromedp.Click(chromedp.CSS(`#filter-categories input[value="portrait"]`)),
		chromedp.Click(chromedp.CSS(`#filter-categories input[value="street"]`)),
		chromedp.Click(chromedp.CSS(`#filter-tags input[value="night"]`)))
	eval[any](p, `(() => { const a = document.querySelector('#year-from'); a.value = 1930; a.dispatchEvent(new Event('input')); return 1; })()`)
	p.waitFor(`location.hash.includes('years=1930,')`, 5*time.Second)
	dimmed := eval[int](p, `__viewer.dimmed`)
	if dimmed == 0 || dimmed == 600 {
		t.Fatalf("the filters dim %d of 600 images; the test needs some of each", dimmed)
	}
	url := eval[string](p, `location.href`)
	for _, key := range []string{"plot=default", "layout=grid", "cam=", "cat=portrait", "cat=street", "tag=night"} {
		if !strings.Contains(url, key) {
			t.Errorf("URL %s lacks %s", url, key)
		}
	}

	p.do(chromedp.Navigate("about:blank"), chromedp.Navigate(url))
	p.waitFor(fmt.Sprintf(`window.__firstFrame === true && __viewer.metaLoaded && __viewer.dimmed === %d`, dimmed), 20*time.Second)
	got := eval[map[string]any](p, `({
		cats: [...document.querySelectorAll('#filter-categories input:checked')].map((i) => i.value).sort().join(),
		tags: [...document.querySelectorAll('#filter-tags input:checked')].map((i) => i.value).join(),
		from: document.querySelector('#year-from').value,
		layout: __viewer.layout})`)
	if got["cats"] != "portrait,street" || got["tags"] != "night" || got["from"] != "1930" || got["layout"] != "grid" {
		t.Errorf("reopened with %v, want categories portrait,street, tag night, years from 1930, grid", got)
	}
	if !eval[bool](p, `document.querySelector('#btn-filters').classList.contains('filtering')`) {
		t.Error("the Filters button does not show that filters are on")
	}

	// filter names with URL syntax in them survive the round trip
	rt := eval[map[string]any](p, `import('./js/urlstate.js').then((m) => m.parseHash(m.formatHash({plot: 'p', layout: 'umap', cam: null, img: null,
		filters: {categories: ['a,b', 'c&d=e'], tags: ['x y'], tagsAll: true, years: [-50, 1900]}})).filters)`)
	if fmt.Sprint(rt) != "map[categories:[a,b c&d=e] tags:[x y] tagsAll:true years:[-50 1900]]" {
		t.Errorf("parseHash(formatHash(filters)) = %v", rt)
	}
	p.noConsoleErrors()
}
