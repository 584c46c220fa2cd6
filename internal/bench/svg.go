package bench

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"time"
)

// Charts are hand-written SVG (a few dozen elements each): no dependency, and the files diff
// well when committed.

const (
	svgW, svgH             = 720, 320
	padL, padR, padT, padB = 64, 32, 40, 48
)

// svgHeader writes the document start, a white background and the title.
func svgHeader(b *strings.Builder, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", svgW, svgH, svgW, svgH)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="white"/>`+"\n", svgW, svgH)
	fmt.Fprintf(b, `<text x="%d" y="24" font-size="14" font-weight="bold">%s</text>`+"\n", padL, html.EscapeString(title))
}

// niceMax rounds v up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// yAxis draws horizontal grid lines and labels from 0 to top (a niceMax value): 5 steps when
// top starts with 1 or 5, 4 when it starts with 2.
func yAxis(b *strings.Builder, top float64, unit string) {
	plotH := float64(svgH - padT - padB)
	steps := 5
	if lead := top / math.Pow(10, math.Floor(math.Log10(top))); lead > 1.5 && lead < 2.5 {
		steps = 4
	}
	for i := 0; i <= steps; i++ {
		v := top * float64(i) / float64(steps)
		y := float64(svgH-padB) - plotH*float64(i)/float64(steps)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", padL, y, svgW-padR, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", padL-6, y+4, fmtNum(v))
	}
	fmt.Fprintf(b, `<text x="14" y="%d" transform="rotate(-90 14 %d)" text-anchor="middle">%s</text>`+"\n",
		svgH/2, svgH/2, html.EscapeString(unit))
}

func fmtNum(v float64) string {
	switch {
	case v >= 10000:
		return fmt.Sprintf("%.0fk", v/1000)
	case v >= 1000:
		return fmt.Sprintf("%.1fk", v/1000)
	case v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.1f", v)
	}
}

// LatencySVG writes a histogram of the latencies (sorted or not) on a logarithmic time axis
// from 10 µs to 10 s, 10 buckets per decade, with the p50 and p99 marked.
func LatencySVG(w io.Writer, title string, lat []time.Duration) error {
	const lo, decades, perDecade = 1e-2, 6, 10 // milliseconds: 0.01 ms … 10 s
	n := decades * perDecade
	counts := make([]int, n)
	for _, d := range lat {
		ms := float64(d) / 1e6
		i := int(math.Floor(math.Log10(max(ms, lo)/lo) * perDecade))
		counts[min(max(i, 0), n-1)]++
	}
	top := 0
	for _, c := range counts {
		top = max(top, c)
	}
	var b strings.Builder
	svgHeader(&b, title)
	yTop := niceMax(float64(top))
	yAxis(&b, yTop, "count")
	plotW, plotH := float64(svgW-padL-padR), float64(svgH-padT-padB)
	bw := plotW / float64(n)
	for i, c := range counts {
		if c == 0 {
			continue
		}
		h := plotH * float64(c) / yTop
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#4a7bd0"><title>%d</title></rect>`+"\n",
			float64(padL)+bw*float64(i), float64(svgH-padB)-h, bw-1, h, c)
	}
	xOf := func(ms float64) float64 {
		return float64(padL) + plotW*math.Log10(max(ms, lo)/lo)/decades
	}
	for d := 0; d <= decades; d++ {
		ms := lo * math.Pow(10, float64(d))
		label := fmt.Sprintf("%g ms", ms)
		if ms >= 1000 {
			label = fmt.Sprintf("%g s", ms/1000)
		}
		x := xOf(ms)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#999"/>`+"\n", x, svgH-padB, x, svgH-padB+5)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, svgH-padB+18, label)
	}
	if len(lat) > 0 {
		st := statsOf(append([]time.Duration(nil), lat...))
		for i, m := range []struct {
			name string
			ms   float64
		}{{"p50", st.P50}, {"p99", st.P99}} {
			x := xOf(m.ms)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#d04a4a" stroke-dasharray="4 3"/>`+"\n", x, padT, x, svgH-padB)
			// Labels on two lines, so that close percentiles stay readable; right of the line,
			// or left of it near the right edge.
			anchor, dx := "start", 3.0
			if x > float64(svgW-padR-110) {
				anchor, dx = "end", -3
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#d04a4a" text-anchor="%s">%s %.2f ms</text>`+"\n",
				x+dx, padT+12+16*i, anchor, m.name, m.ms)
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">latency (log scale), %d samples</text>`+"\n", padL+int(plotW)/2, svgH-8, len(lat))
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// ThroughputSVG writes throughput over time: one point per bucket of bucketS seconds.
func ThroughputSVG(w io.Writer, title string, rps []float64, bucketS float64) error {
	top := 0.0
	for _, v := range rps {
		top = math.Max(top, v)
	}
	var b strings.Builder
	svgHeader(&b, title)
	yTop := niceMax(top * 1.05)
	yAxis(&b, yTop, "requests per second")
	plotW, plotH := float64(svgW-padL-padR), float64(svgH-padT-padB)
	total := float64(len(rps)) * bucketS
	if total <= 0 {
		total = 1
	}
	var pts []string
	for i, v := range rps {
		x := float64(padL) + plotW*(float64(i)+0.5)*bucketS/total
		y := float64(svgH-padB) - plotH*v/yTop
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
	}
	if len(pts) > 0 {
		fmt.Fprintf(&b, `<polyline fill="none" stroke="#4a7bd0" stroke-width="2" points="%s"/>`+"\n", strings.Join(pts, " "))
		mean := 0.0
		for _, v := range rps {
			mean += v
		}
		mean /= float64(len(rps))
		y := float64(svgH-padB) - plotH*mean/yTop
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d04a4a" stroke-dasharray="4 3"/>`+"\n", padL, y, svgW-padR, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" fill="#d04a4a" text-anchor="end">mean %s/s</text>`+"\n", svgW-padR, y-4, fmtNum(mean))
	}
	for i := 0; i <= 5; i++ {
		t := total * float64(i) / 5
		x := float64(padL) + plotW*float64(i)/5
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s s</text>`+"\n", x, svgH-padB+18, fmtNum(t))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">time in the measured window</text>`+"\n", padL+int(plotW)/2, svgH-8)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
