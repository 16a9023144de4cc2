package viewer

import (
	"strings"
	"testing"
)

// The viewer's pure modules, exercised in the browser that runs them.
func TestViewerModules(t *testing.T) {
	f := newFakeServer(t, 20)
	p := open(t, f.handler(), "/", desktop)

	t.Run("SanitizeKeepsMarkupAndDropsScript", func(t *testing.T) {
		cases := map[string]string{
			`<b>bold</b> and <i>it</i>`:                              `<b>bold</b> and <i>it</i>`,
			`<script>alert(1)</script>after`:                         `after`,
			`<img src=x onerror=alert(1)>text`:                       `text`,
			`<a href="javascript:alert(1)">x</a>`:                    `<a target="_blank" rel="noopener noreferrer nofollow">x</a>`,
			`<a href=" jav&#x09;ascript:alert(1)">x</a>`:             `<a target="_blank" rel="noopener noreferrer nofollow">x</a>`,
			`<a href="data:text/html,<script>">x</a>`:                `<a target="_blank" rel="noopener noreferrer nofollow">x</a>`,
			`<a href="https://e.org/a?b=1" onclick="x()">x</a>`:      `<a href="https://e.org/a?b=1" target="_blank" rel="noopener noreferrer nofollow">x</a>`,
			`<p style="background:url(x)" class="c">p</p>`:           `<p>p</p>`,
			`<svg><script>alert(1)</script></svg>kept`:               `kept`,
			`<iframe src="https://e.org"></iframe>x`:                 `x`,
			`<form action="/x"><input name=a>in form</form>`:         `in form`,
			`<div title="a>b" onmouseover="x()">t</div>`:             `<div>t</div>`,
			`<!-- c --><table><tr><td colspan=2>c</td></tr></table>`: `<table><tbody><tr><td colspan="2">c</td></tr></tbody></table>`,
		}
		for in, want := range cases {
			got := eval[string](p, `import('./js/sanitize.js').then(m => { const d = document.createElement('div'); d.append(m.sanitize(`+jsString(in)+`)); return d.innerHTML; })`)
			if got != want {
				t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
			}
		}
		if eval[bool](p, `window.__xss !== undefined`) {
			t.Error("a payload ran")
		}
	})

	t.Run("CSVQuotesFieldsAndFlattensExtra", func(t *testing.T) {
		got := eval[string](p, `import('./js/export.js').then(m => m.toCSV([
			{id: 1, filename: 'a,b.jpg', description: 'say "hi"\nbye', tags: ['x', 'y'], year: null, extra: {id: 'e', k: 'v'}},
			{id: 2, filename: 'c.jpg', tags: [], extra: {z: '1'}}]))`)
		want := "id,filename,description,tags,year,extra.id,k,z\r\n" +
			"1,\"a,b.jpg\",\"say \"\"hi\"\"\nbye\",x|y,,e,v,\r\n" +
			"2,c.jpg,,,,,,1\r\n"
		if got != want {
			t.Errorf("toCSV =\n%q\nwant\n%q", got, want)
		}
	})

	t.Run("FlightLandsOnTargetAndZoomKeepsCursorPoint", func(t *testing.T) {
		got := eval[[]float64](p, `import('./js/camera.js').then(({Camera}) => {
			const c = new Camera(); c.resize(1000, 600);
			c.set({x: 0.1, y: -0.2, zoom: 2});
			c.flyTo({x: 0.8, y: 0.5, zoom: 30});
			const start = c.flight.start;
			c.tick(start + c.flight.ms / 2);
			const mid = [c.x, c.y, c.zoom];
			c.tick(start + 1e6);
			const end = [c.x, c.y, c.zoom];
			const [wx, wy] = c.toWorld(123, 456);
			c.zoomAt(123, 456, 3.7);
			const [nx, ny] = c.toWorld(123, 456);
			return [...mid, ...end, nx - wx, ny - wy];
		})`)
		mx, my, end := got[0], got[1], got[3:6]
		if !(mx > 0.1 && mx < 0.8 && my > -0.2 && my < 0.5) {
			t.Errorf("mid-flight at (%v,%v), not between start and target", mx, my)
		}
		if !near(end[0], 0.8, 1e-12) || !near(end[1], 0.5, 1e-12) || !near(end[2], 30, 1e-9) {
			t.Errorf("flight ended at %v, want (0.8, 0.5, 30)", end)
		}
		if !near(got[6], 0, 1e-12) || !near(got[7], 0, 1e-12) {
			t.Errorf("zoomAt moved the world point under the cursor by (%g,%g)", got[6], got[7])
		}
	})

	t.Run("GridIndexFindsWhatBruteForceFinds", func(t *testing.T) {
		bad := eval[int](p, `import('./js/spatial.js').then(({GridIndex}) => {
			let seed = 1; const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
			const n = 5000, pos = new Float32Array(2 * n);
			for (let i = 0; i < 2 * n; i++) pos[i] = rnd() * 2 - 1;
			pos[10] = NaN;
			const g = new GridIndex(pos);
			let bad = 0;
			for (let q = 0; q < 50; q++) {
				const x0 = rnd() * 2 - 1, y0 = rnd() * 2 - 1, x1 = x0 + rnd() * 0.5, y1 = y0 + rnd() * 0.5;
				const got = new Set();
				g.query(x0, y0, x1, y1, (i) => { const x = pos[2*i], y = pos[2*i+1]; if (x >= x0 && x <= x1 && y >= y0 && y <= y1) got.add(i); });
				for (let i = 0; i < n; i++) {
					const x = pos[2*i], y = pos[2*i+1];
					if ((x >= x0 && x <= x1 && y >= y0 && y <= y1) !== got.has(i)) bad++;
				}
			}
			return bad;
		})`)
		if bad != 0 {
			t.Errorf("grid queries disagree with brute force on %d points", bad)
		}
	})

	t.Run("HashRoundTrips", func(t *testing.T) {
		got := eval[map[string]any](p, `import('./js/urlstate.js').then(m => m.parseHash(m.formatHash({plot: 'a b&c', layout: 'grid', cam: {x: -0.123456, y: 0.5, zoom: 12.3456}, img: 42})))`)
		cam := got["cam"].(map[string]any)
		if got["plot"] != "a b&c" || got["layout"] != "grid" || got["img"] != 42.0 || cam["x"] != -0.12346 || cam["zoom"] != 12.346 {
			t.Errorf("parseHash(formatHash(...)) = %v", got)
		}
	})
	p.noConsoleErrors()
}

// jsString quotes s as a JavaScript template-free string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`)
	return "'" + r.Replace(s) + "'"
}
