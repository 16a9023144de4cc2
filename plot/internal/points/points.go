// Package points checks the flat (x, y) coordinate slices that the layout
// packages pass around: x0, y0, x1, y1, … in plot order.
package points

import (
	"fmt"
	"math"
)

// Check refuses odd lengths and non-finite coordinates, naming the point.
func Check(xy []float32) error {
	if len(xy)%2 != 0 {
		return fmt.Errorf("%d coordinates do not make (x, y) pairs", len(xy))
	}
	for k, v := range xy {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("image %d: %s is %v", k/2, "xy"[k%2:k%2+1], v)
		}
	}
	return nil
}
