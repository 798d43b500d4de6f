//! What a run leaves behind besides the console table: per-hop quantiles read from the
//! services' histograms, the latency distribution of each scenario (percentile curve and
//! per-second timeline), an SVG plot per scenario, the run's `summary.json`, and the
//! Markdown table `make bench-table` writes into the README and docs/PERFORMANCE.md.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use plotters::prelude::*;
use serde_json::{json, Value};

/// A Prometheus page reduced to what the bench reads: each histogram's `_sum` and `_count`
/// (and each counter as a count), and each histogram's cumulative buckets, all summed over
/// label sets.
#[derive(Debug, Default, Clone)]
pub struct Page {
    pub totals: HashMap<String, (f64, f64)>,
    /// Histogram name -> (upper bound in seconds, cumulative count), ascending bounds.
    pub buckets: HashMap<String, Vec<(f64, f64)>>,
}

impl Page {
    pub fn parse(page: &str) -> Page {
        let mut out = Page::default();
        for line in page.lines().filter(|l| !l.starts_with('#')) {
            let Some((series, value)) = line.rsplit_once(' ') else {
                continue;
            };
            let Ok(value) = value.parse::<f64>() else {
                continue;
            };
            let name = series.split('{').next().unwrap_or(series);
            if let Some(base) = name.strip_suffix("_bucket") {
                let Some(le) = label(series, "le") else {
                    continue;
                };
                let le = if le == "+Inf" {
                    f64::INFINITY
                } else {
                    match le.parse::<f64>() {
                        Ok(le) => le,
                        Err(_) => continue,
                    }
                };
                add_to_bucket(out.buckets.entry(base.to_string()).or_default(), le, value);
            } else if let Some(base) = name.strip_suffix("_sum") {
                out.totals.entry(base.to_string()).or_default().0 += value;
            } else if let Some(base) = name.strip_suffix("_count") {
                out.totals.entry(base.to_string()).or_default().1 += value;
            } else if name.ends_with("_total") {
                out.totals.entry(name.to_string()).or_default().1 += value;
            }
        }
        for buckets in out.buckets.values_mut() {
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        out
    }
}

/// Adds `count` observations to the bucket bounded by `le` (a new bound is appended; sort
/// once the list is complete).
pub fn add_to_bucket(buckets: &mut Vec<(f64, f64)>, le: f64, count: f64) {
    match buckets.iter_mut().find(|(b, _)| *b == le) {
        Some((_, total)) => *total += count,
        None => buckets.push((le, count)),
    }
}

/// The value of label `name` in a series such as `x_bucket{a="1",le="0.5"}`.
fn label<'a>(series: &'a str, name: &str) -> Option<&'a str> {
    let start = series.find(&format!("{name}=\""))? + name.len() + 2;
    let rest = &series[start..];
    Some(&rest[..rest.find('"')?])
}

/// Bucket growth between two pages: (upper bound, observations that fell at or below it).
pub fn bucket_growth(before: &[(f64, f64)], after: &[(f64, f64)]) -> Vec<(f64, f64)> {
    after
        .iter()
        .map(|(le, n1)| {
            let n0 = before
                .iter()
                .find(|(b, _)| b == le)
                .map_or(0.0, |(_, n)| *n);
            (*le, n1 - n0)
        })
        .collect()
}

/// Quantile `q` (0..1) in milliseconds from cumulative buckets, interpolated linearly
/// inside its bucket as Prometheus' `histogram_quantile` does; `None` without observations.
/// Past the last finite bound it answers that bound (the histogram knows no more).
pub fn bucket_quantile_ms(buckets: &[(f64, f64)], q: f64) -> Option<f64> {
    let total = buckets.last()?.1;
    if total <= 0.0 {
        return None;
    }
    let rank = q * total;
    let mut lower = (0.0, 0.0);
    for &(le, count) in buckets {
        if count >= rank {
            if le.is_infinite() {
                return Some(lower.0 * 1000.0);
            }
            let inside = count - lower.1;
            let share = if inside > 0.0 {
                (rank - lower.1) / inside
            } else {
                1.0
            };
            return Some((lower.0 + (le - lower.0) * share) * 1000.0);
        }
        lower = (le, count);
    }
    Some(lower.0 * 1000.0)
}

/// The upper bound (ms) of the highest bucket that received an observation: the slowest
/// observation was at most this (`inf` when it passed the last bound).
pub fn bucket_max_bound_ms(buckets: &[(f64, f64)]) -> Option<f64> {
    let total = buckets.last()?.1;
    if total <= 0.0 {
        return None;
    }
    buckets
        .iter()
        .find(|(_, count)| *count >= total)
        .map(|(le, _)| le * 1000.0)
}

/// Percentile of already sorted values (nearest rank).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// The percentiles a latency curve is drawn through.
const CURVE_PERCENTILES: [f64; 14] = [
    0.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 98.0, 99.0, 99.5, 99.9, 99.95, 99.99, 100.0,
];

/// `[[percentile, ms], ...]` of sorted latencies, for the plots and before/after comparisons.
pub fn percentile_curve(sorted: &[f64]) -> Value {
    if sorted.is_empty() {
        return json!([]);
    }
    CURVE_PERCENTILES
        .iter()
        .map(|p| json!([p, round3(percentile(sorted, *p))]))
        .collect()
}

/// Per second of the scenario (by when each request started): `[second, deliveries, p50,
/// p99, max]` in ms, so a stall shows where it happened.
pub fn timeline(samples: &[(f64, f64)]) -> Value {
    let mut by_second: std::collections::BTreeMap<u64, Vec<f64>> = Default::default();
    for (at_secs, ms) in samples {
        by_second.entry(*at_secs as u64).or_default().push(*ms);
    }
    by_second
        .into_iter()
        .map(|(second, mut v)| {
            v.sort_by(f64::total_cmp);
            json!([
                second,
                v.len(),
                round3(percentile(&v, 50.0)),
                round3(percentile(&v, 99.0)),
                round3(*v.last().unwrap_or(&0.0))
            ])
        })
        .collect()
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Position of a percentile on the "nines" axis: 50 -> 0.3, 90 -> 1, 99 -> 2, 99.9 -> 3.
fn nines(p: f64) -> f64 {
    let rest = (100.0 - p).max(0.001) / 100.0;
    -rest.log10()
}

/// The label of a position on the nines axis.
fn nines_label(x: &f64) -> String {
    let p = 100.0 - 100.0 * 10f64.powf(-x);
    if p >= 99.999 - 1e-9 {
        "max".to_string()
    } else if p.fract().abs() < 1e-6 {
        format!("p{p:.0}")
    } else {
        format!("p{p}")
    }
}

/// A curve as (nines position, ms) points; `max` sits at 99.999.
fn curve_points(curve: &Value) -> Vec<(f64, f64)> {
    curve
        .as_array()
        .map(|points| {
            points
                .iter()
                .filter_map(|p| {
                    let pct = p[0].as_f64()?;
                    let ms = p[1].as_f64()?.max(0.01);
                    let pct = if pct >= 100.0 { 99.999 } else { pct };
                    Some((nines(pct), ms))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn plot_error(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("drawing the plot: {e}")
}

/// The y range (ms, log scale) that holds every value with some room.
fn y_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi <= 0.0 {
        return 0.1..10.0;
    }
    (lo / 1.5).max(0.01)..hi * 1.5
}

/// One scenario's SVG: e2e latency of every delivery over the scenario's time (left, with
/// the per-second p99) and its percentile curve (right). Log scales.
pub fn scenario_svg(result: &Value, samples: &[(f64, f64)]) -> anyhow::Result<String> {
    let name = result["scenario"].as_str().unwrap_or("scenario");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1200, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let title = format!(
            "{name}: {:.0} deliveries/s, e2e p50 {:.1} / p99 {:.1} / max {:.1} ms, {:.2} CPU ms per delivery",
            result["deliveries_per_sec"].as_f64().unwrap_or(0.0),
            result["e2e_ms"]["p50"].as_f64().unwrap_or(0.0),
            result["e2e_ms"]["p99"].as_f64().unwrap_or(0.0),
            result["e2e_ms"]["max"].as_f64().unwrap_or(0.0),
            result["cpu_ms_per_delivery_api_dispatcher_postgres_rabbitmq"]
                .as_f64()
                .unwrap_or(0.0),
        );
        let root = root
            .titled(&title, ("sans-serif", 18))
            .map_err(plot_error)?;
        let (left, right) = root.split_horizontally(720);
        let x_end = samples.iter().map(|s| s.0).fold(1.0f64, f64::max).ceil();
        let y = y_range(samples.iter().map(|s| s.1));
        let mut over_time = ChartBuilder::on(&left)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..x_end, y.clone().log_scale())
            .map_err(plot_error)?;
        over_time
            .configure_mesh()
            .x_desc("seconds into the scenario (request start)")
            .y_desc("e2e ms")
            .draw()
            .map_err(plot_error)?;
        // Per second: p50, p99 and max as lines, and the slowest 1 % as points (every
        // point would make the file megabytes for nothing).
        let rows: Vec<[f64; 4]> = result["timeline"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .filter_map(|r| {
                        let v = |i: usize| r[i].as_f64().map(|ms| ms.max(y.start));
                        Some([r[0].as_f64()? + 0.5, v(2)?, v(3)?, v(4)?])
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut by_latency: Vec<&(f64, f64)> = samples.iter().collect();
        by_latency.sort_by(|a, b| b.1.total_cmp(&a.1));
        let slowest = by_latency.len().div_ceil(100).min(2000);
        over_time
            .draw_series(
                by_latency[..slowest]
                    .iter()
                    .map(|(t, ms)| Circle::new((*t, ms.max(y.start)), 2, BLACK.mix(0.5).filled())),
            )
            .map_err(plot_error)?
            .label("slowest 1 %")
            .legend(|(x, y)| Circle::new((x + 9, y), 2, BLACK.mix(0.5).filled()));
        for (column, label, color) in [
            (1, "p50 per second", BLUE),
            (2, "p99 per second", RED),
            (3, "max per second", MAGENTA),
        ] {
            over_time
                .draw_series(LineSeries::new(
                    rows.iter().map(|r| (r[0], r[column])),
                    color.stroke_width(2),
                ))
                .map_err(plot_error)?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        over_time
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(plot_error)?;
        draw_curves(
            &right,
            &[(name.to_string(), result["e2e_percentiles_ms"].clone())],
        )?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

/// Percentile curves side by side (a before/after comparison: `hookrelay-bench compare`).
pub fn curves_svg(title: &str, curves: &[(String, Value)]) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let root = root.titled(title, ("sans-serif", 18)).map_err(plot_error)?;
        draw_curves(&root, curves)?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

fn draw_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    curves: &[(String, Value)],
) -> anyhow::Result<()> {
    let points: Vec<Vec<(f64, f64)>> = curves.iter().map(|(_, c)| curve_points(c)).collect();
    let y = y_range(points.iter().flatten().map(|p| p.1));
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..5.0, y.log_scale())
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .x_labels(6)
        .x_label_formatter(&nines_label)
        .x_desc("percentile")
        .y_desc("e2e ms")
        .draw()
        .map_err(plot_error)?;
    let colors = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];
    for (i, ((name, _), pts)) in curves.iter().zip(points).enumerate() {
        let color = colors[i % colors.len()];
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(plot_error)?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart
            .draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))
            .map_err(plot_error)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(plot_error)?;
    Ok(())
}

/// What the machine is, for the summary and the table's caption.
pub fn machine() -> Value {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory_gib = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| (kib / 1024.0 / 1024.0).round());
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|s| s.trim_matches('"').to_string())
        .unwrap_or_default();
    let kernel = read("/proc/sys/kernel/osrelease").trim().to_string();
    json!({"cpu": cpu, "cores": cores, "memory_gib": memory_gib, "os": os, "kernel": kernel})
}

/// One scenario's line in the summary.
pub fn summary_row(r: &Value) -> Value {
    json!({
        "scenario": r["scenario"],
        "events_per_sec": r["events_per_sec"],
        "deliveries_per_sec": r["deliveries_per_sec"],
        "e2e_ms": r["e2e_ms"],
        "api_ms": r["api_ms"],
        "cpu_ms_per_delivery": r["cpu_ms_per_delivery_api_dispatcher_postgres_rabbitmq"],
        "missing": r["missing"],
        "errors": r["errors"],
        "duplicates": r["duplicates"],
        "out_of_order": r["out_of_order"],
    })
}

/// Writes `<dir>/<prefix>summary.json`: when and where the run was made, and one row per
/// scenario.
pub fn write_summary(dir: &Path, prefix: &str, rows: &[Value]) -> anyhow::Result<()> {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let summary = json!({
        "date": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "commit": commit,
        "machine": machine(),
        "scenarios": rows,
    });
    let path = dir.join(format!("{prefix}summary.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&summary)?)
        .with_context(|| format!("writing {}", path.display()))
}

/// The Markdown table of a summary (what `make bench-table` puts in the README).
pub fn markdown_table(summary: &Value) -> String {
    let m = &summary["machine"];
    let mut out = format!(
        "`make bench` on {} (commit {}), {} cores ({}), {} GiB, {}; scenarios one after the other, in this order:\n\n",
        summary["date"].as_str().unwrap_or("?").get(..10).unwrap_or("?"),
        summary["commit"].as_str().unwrap_or("?"),
        m["cores"],
        m["cpu"].as_str().unwrap_or("?"),
        m["memory_gib"],
        m["os"].as_str().unwrap_or("?"),
    );
    out += "| scenario | events/s | deliveries/s | e2e p50 | e2e p99 | e2e max | API p50 | API p99 | CPU ms / delivery | missing / duplicates |\n";
    out += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
    let thousands = |v: &Value| {
        let n = v.as_f64().unwrap_or(0.0).round() as i64;
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    let ms = |v: &Value| match v.as_f64() {
        Some(x) if x >= 100.0 => format!("{} ms", thousands(v)),
        Some(x) => format!("{x:.1} ms"),
        None => String::new(),
    };
    for r in summary["scenarios"].as_array().into_iter().flatten() {
        out += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {} / {} |\n",
            r["scenario"].as_str().unwrap_or(""),
            thousands(&r["events_per_sec"]),
            thousands(&r["deliveries_per_sec"]),
            ms(&r["e2e_ms"]["p50"]),
            ms(&r["e2e_ms"]["p99"]),
            ms(&r["e2e_ms"]["max"]),
            ms(&r["api_ms"]["p50"]),
            ms(&r["api_ms"]["p99"]),
            r["cpu_ms_per_delivery"].as_f64().unwrap_or(0.0),
            r["missing"].as_u64().unwrap_or(0) + r["errors"].as_u64().unwrap_or(0),
            r["duplicates"].as_u64().unwrap_or(0),
        );
    }
    out
}

/// Replaces what lies between `<!-- bench:start -->` and `<!-- bench:end -->` in a file.
pub fn replace_marked(file: &Path, table: &str) -> anyhow::Result<()> {
    const START: &str = "<!-- bench:start -->";
    const END: &str = "<!-- bench:end -->";
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let (Some(a), Some(b)) = (text.find(START), text.find(END)) else {
        anyhow::bail!("{} has no {START} ... {END} markers", file.display());
    };
    let updated = format!("{}{START}\n{table}{}", &text[..a], &text[b..]);
    std::fs::write(file, updated).with_context(|| format!("writing {}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# TYPE x histogram
x_bucket{service=\"api\",le=\"0.001\"} 50
x_bucket{service=\"api\",le=\"0.005\"} 90
x_bucket{service=\"api\",le=\"0.01\"} 100
x_bucket{service=\"api\",le=\"+Inf\"} 100
x_sum{service=\"api\"} 0.2
x_count{service=\"api\"} 100
y_total{service=\"api\"} 7
";

    #[test]
    fn a_page_gives_sums_counts_and_buckets() {
        let page = Page::parse(PAGE);
        assert_eq!(page.totals["x"], (0.2, 100.0));
        assert_eq!(page.totals["y_total"], (0.0, 7.0));
        assert_eq!(page.buckets["x"].len(), 4);
        assert_eq!(page.buckets["x"][1], (0.005, 90.0));
    }

    #[test]
    fn quantiles_and_maxima_come_from_the_bucket_growth() {
        let before = Page::parse(PAGE);
        let after = Page::parse(
            &PAGE
                .replace("} 100\n", "} 200\n")
                .replace("le=\"0.005\"} 90", "le=\"0.005\"} 190"),
        );
        let grown = bucket_growth(&before.buckets["x"], &after.buckets["x"]);
        // 100 new observations, all in (1 ms, 5 ms].
        assert_eq!(
            grown,
            vec![
                (0.001, 0.0),
                (0.005, 100.0),
                (0.01, 100.0),
                (f64::INFINITY, 100.0)
            ]
        );
        let p50 = bucket_quantile_ms(&grown, 0.5).expect("observations");
        assert!((p50 - 3.0).abs() < 1e-9, "{p50}");
        assert_eq!(bucket_max_bound_ms(&grown), Some(5.0));
        assert_eq!(
            bucket_quantile_ms(&bucket_growth(&grown, &grown), 0.5),
            None
        );
    }

    #[test]
    fn an_observation_past_the_last_bound_has_no_finite_maximum() {
        let grown = vec![(0.001, 1.0), (f64::INFINITY, 2.0)];
        assert_eq!(bucket_max_bound_ms(&grown), Some(f64::INFINITY));
        assert_eq!(bucket_quantile_ms(&grown, 0.99), Some(1.0));
    }

    #[test]
    fn the_nines_axis_labels_its_percentiles() {
        assert_eq!(nines_label(&nines(50.0)), "p50");
        assert_eq!(nines_label(&nines(99.0)), "p99");
        assert_eq!(nines_label(&nines(99.9)), "p99.9");
        assert_eq!(nines_label(&nines(99.99)), "p99.99");
        assert_eq!(nines_label(&nines(99.999)), "max");
    }

    #[test]
    fn a_timeline_has_one_row_per_second() {
        let t = timeline(&[(0.1, 1.0), (0.9, 3.0), (1.5, 10.0)]);
        // Nearest rank: the p50 of two values is the second.
        assert_eq!(t, json!([[0, 2, 3.0, 3.0, 3.0], [1, 1, 10.0, 10.0, 10.0]]));
    }

    #[test]
    fn the_table_reads_a_summary() {
        let summary = json!({"date": "2026-12-07T22:00:00Z", "commit": "abc", "machine": {"cores": 2, "cpu": "X", "memory_gib": 24.0, "os": "Debian"},
            "scenarios": [{"scenario": "paced", "events_per_sec": 500.0, "deliveries_per_sec": 12499.6, "e2e_ms": {"p50": 1.94, "p99": 7.5, "max": 1400.2},
                "api_ms": {"p50": 0.9, "p99": 3.0}, "cpu_ms_per_delivery": 0.987, "missing": 0, "errors": 0, "duplicates": 1}]});
        let table = markdown_table(&summary);
        assert!(table.contains("| paced | 500 | 12,500 | 1.9 ms | 7.5 ms | 1,400 ms | 0.9 ms | 3.0 ms | 0.99 | 0 / 1 |"), "{table}");
        assert!(
            table.starts_with("`make bench` on 2026-12-07 (commit abc), 2 cores (X)"),
            "{table}"
        );
    }
}
