//! Lookup latency of a built database: 10,000 package lookups (the (ecosystem, package)
//! pairs the database itself holds, sampled evenly, plus misses), p50 / p99 / max.
//!
//!   cargo run --release -p drydock-vulndb --example lookup_bench -- PATH/TO/drydock.db

use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: lookup_bench DB");
    let path = std::path::Path::new(&path);
    let db = drydock_vulndb::Database::open(path).unwrap_or_else(|e| panic!("{e}"));
    let pairs = sample_pairs(path, 9_000);
    let mut lookups: Vec<(String, String)> = pairs;
    // Misses cost a lookup too (most packages of an image have no advisory).
    lookups.extend((0..1_000).map(|i| ("Debian:12".to_string(), format!("no-such-package-{i}"))));
    let mut times = Vec::with_capacity(lookups.len());
    let mut rows = 0;
    for (ecosystem, package) in &lookups {
        let start = Instant::now();
        rows += db.affected(ecosystem, package).expect("lookup").len();
        times.push(start.elapsed());
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    println!(
        "{} lookups ({} rows): p50 {:?}, p99 {:?}, max {:?}",
        times.len(),
        rows,
        pct(0.50),
        pct(0.99),
        times[times.len() - 1]
    );
}

/// Every n-th distinct (ecosystem, package) pair of the database.
fn sample_pairs(path: &std::path::Path, want: usize) -> Vec<(String, String)> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    let mut stmt = conn
        .prepare("SELECT DISTINCT ecosystem, package FROM affected ORDER BY ecosystem, package")
        .expect("query");
    let all: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .filter_map(Result::ok)
        .collect();
    let step = (all.len() / want).max(1);
    all.into_iter().step_by(step).take(want).collect()
}
