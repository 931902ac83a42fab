//! Small, deterministic inline SVG charts for `locus report`: a line chart and a horizontal bar chart, escaped text, fixed number formatting.

use std::fmt::Write;

const W: f64 = 640.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;
const COLOURS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
];

/// Text safe inside HTML and SVG.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn num(x: f64) -> String {
    if x == x.round() && x.abs() < 1e9 {
        format!("{x:.0}")
    } else if x.abs() >= 0.01 {
        format!("{x:.2}")
    } else {
        format!("{x:.2e}")
    }
}

/// A named series of (x, y) points.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// A line chart with markers, axes from the data, a legend when there are several series.
pub fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let h = 300.0;
    let pts: Vec<(f64, f64)> = series.iter().flat_map(|s| s.points.clone()).collect();
    let (x0, x1) = bounds(pts.iter().map(|p| p.0));
    let (_, y1) = bounds(pts.iter().map(|p| p.1));
    let y0 = 0.0f64.min(bounds(pts.iter().map(|p| p.1)).0);
    let sx = |x: f64| LEFT + (x - x0) / (x1 - x0).max(1e-12) * (W - LEFT - RIGHT);
    let sy = |y: f64| TOP + (1.0 - (y - y0) / (y1 - y0).max(1e-12)) * (h - TOP - BOTTOM);
    let mut s = open(title, h);
    axes(&mut s, h, x_label, y_label);
    for i in 0..=4 {
        let y = y0 + (y1 - y0) * f64::from(i) / 4.0;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">{}</text>"##,
            LEFT - 4.0,
            sy(y) + 4.0,
            num(y)
        );
    }
    let xs: std::collections::BTreeSet<u64> = pts.iter().map(|p| p.0.to_bits()).collect();
    let step = (xs.len() / 12).max(1);
    for (i, x) in xs.iter().map(|b| f64::from_bits(*b)).enumerate() {
        if i % step == 0 {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"##,
                sx(x),
                h - BOTTOM + 14.0,
                num(x)
            );
        }
    }
    for (k, ser) in series.iter().enumerate() {
        let c = COLOURS[k % COLOURS.len()];
        let path: Vec<String> = ser
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
            .collect();
        let _ = write!(
            s,
            r##"<polyline fill="none" stroke="{c}" stroke-width="2" points="{}"/>"##,
            path.join(" ")
        );
        for &(x, y) in &ser.points {
            let _ = write!(
                s,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{c}"><title>{}: {} → {}</title></circle>"##,
                sx(x),
                sy(y),
                esc(&ser.name),
                num(x),
                num(y)
            );
        }
        if series.len() > 1 {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="{c}">{}</text>"##,
                W - RIGHT - 150.0,
                TOP + 12.0 + 14.0 * k as f64,
                esc(&ser.name)
            );
        }
    }
    s + "</svg>"
}

/// A horizontal bar chart of (label, value).
pub fn bar_chart(title: &str, x_label: &str, bars: &[(String, f64)]) -> String {
    let row = 18.0;
    let h = TOP + BOTTOM + row * bars.len().max(1) as f64;
    let left = 160.0;
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1e-12);
    let mut s = open(title, h);
    let _ = write!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12">{}</text>"##,
        left + (W - left - RIGHT) / 2.0,
        h - 8.0,
        esc(x_label)
    );
    for (i, (label, v)) in bars.iter().enumerate() {
        let y = TOP + row * i as f64;
        let w = v / max * (W - left - RIGHT - 60.0);
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">{}</text><rect x="{left:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"##,
            left - 6.0,
            y + row * 0.7,
            esc(label),
            y + 2.0,
            row - 4.0,
            COLOURS[0],
            left + w + 4.0,
            y + row * 0.7,
            num(*v)
        );
    }
    s + "</svg>"
}

fn bounds(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    }
}

fn open(title: &str, h: f64) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 {W} {h}" width="{W}" height="{h}" role="img" aria-label="{t}"><title>{t}</title>"##,
        t = esc(title)
    )
}

fn axes(s: &mut String, h: f64, x_label: &str, y_label: &str) {
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{b:.1}" stroke="#444"/><line x1="{LEFT}" y1="{b:.1}" x2="{r:.1}" y2="{b:.1}" stroke="#444"/><text x="{cx:.1}" y="{ly:.1}" text-anchor="middle" font-size="12">{x}</text><text x="14" y="{cy:.1}" text-anchor="middle" font-size="12" transform="rotate(-90 14 {cy:.1})">{y}</text>"##,
        b = h - BOTTOM,
        r = W - RIGHT,
        cx = LEFT + (W - LEFT - RIGHT) / 2.0,
        ly = h - 8.0,
        cy = TOP + (h - TOP - BOTTOM) / 2.0,
        x = esc(x_label),
        y = esc(y_label)
    );
}
