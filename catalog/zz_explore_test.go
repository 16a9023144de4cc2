package catalog

import (
	"fmt"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"
)

func TestZZExplore(t *testing.T) {
	c := openTemp(t)
	m := testModel(t, c, 1, 8)
	r := newRand(1)
	recs := []ImageRecord{testRecord(0, randomUnit(r, 8)), testRecord(1, randomUnit(r, 8))}
	recs[0].Image.Meta.Extra = map[string]string{"photographer": "ann", `we"ird`: "x"}
	putAll(t, c, m.ID, recs)
	for _, q := range []string{
		`SELECT id FROM catalog WHERE year < 1900`,
		`SELECT id FROM catalog WHERE photographer = 'ann'`,
		`SELECT id FROM catalog WHERE EXISTS (SELECT 1 FROM json_each(tags) WHERE value = 'x')`,
		`SELECT id FROM catalog WHERE id IN (WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM r) SELECT x FROM r)`,
		`SELECT id FROM catalog WHERE (SELECT count(*) FROM sqlite_master) > 0`,
		`SELECT id FROM catalog WHERE (SELECT count(*) FROM pragma_table_info('plots')) > 0`,
		`SELECT id FROM catalog WHERE tags ->> '$[0]' = 'x' AND filename LIKE 'a%' AND filename GLOB 'x'`,
		`SELECT id FROM catalog WHERE id IN (SELECT rowid FROM image_search WHERE image_search MATCH 'x')`,
		`SELECT id FROM catalog WHERE load_extension('x')`,
		`SELECT id FROM catalog WHERE has_tag(tags, 'x')`,
		`SELECT id FROM catalog WHERE id IN (WITH p AS (SELECT id FROM plots) SELECT id FROM p)`,
		`SELECT id FROM catalog WHERE (SELECT count(*) FROM temp.sqlite_master) > 0`,
		`SELECT id FROM catalog WHERE id IN (SELECT image_id FROM vec_model_1)`,
		`SELECT id FROM catalog WHERE length(printf('%.*c', 100000000, 'x')) > 0`,
		`SELECT id FROM catalog WHERE id IN (SELECT value FROM generate_series(1,3))`,
	} {
		conn, _ := c.read.Conn(ctx)
		conn.Raw(func(dc any) error {
			dc.(*sqlite3.SQLiteConn).RegisterAuthorizer(func(op int, a, b, d string) int {
				fmt.Printf("   op=%d %q %q %q\n", op, a, b, d)
				return sqlite3.SQLITE_OK
			})
			dc.(*sqlite3.SQLiteConn).SetLimit(sqlite3.SQLITE_LIMIT_LENGTH, 1<<20)
			return nil
		})
		fmt.Println(q)
		rows, err := conn.QueryContext(ctx, q)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		fmt.Println(" ->", err)
		conn.Raw(func(dc any) error { dc.(*sqlite3.SQLiteConn).RegisterAuthorizer(nil); return nil })
		conn.Close()
	}
}
