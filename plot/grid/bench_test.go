package grid

import (
	"fmt"
	"testing"
)

// BenchmarkLayout lays out clustered points as the similarity grid of a
// large plot does (tiled above DefaultExactLimit). Profile it with
//
//	go test -run '^$' -bench Layout/n=100000 -benchtime 3x -cpuprofile cpu.out ./plot/grid
func BenchmarkLayout(b *testing.B) {
	for _, n := range []int{20000, 100000} {
		xy := clustered(n, 15)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Layout(xy, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
